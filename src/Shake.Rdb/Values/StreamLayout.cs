using Shake.Rdb.Format;

namespace Shake.Rdb.Values;

/// <summary>
/// Stream layouts by generation: 1 (type 15), 2 (19: first id, max deleted id, entries added, group entries read),
/// 3 (21: consumer active time), 4 (Redis 26: IDMP producers after the groups). Each includes the previous one's fields.
/// </summary>
internal static class StreamLayout
{
    public static int Of(byte type) => type switch
    {
        RdbValueType.StreamListpacks => 1,
        RdbValueType.StreamListpacks2 => 2,
        RdbValueType.StreamListpacks3 => 3,
        _ => 4,
    };
}
