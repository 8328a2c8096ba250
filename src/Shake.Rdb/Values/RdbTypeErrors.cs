using Shake.Rdb.Format;

namespace Shake.Rdb.Values;

/// <summary>Builds the exception for a value type byte the parser will not walk, naming the type and why.</summary>
internal static class RdbTypeErrors
{
    public static RdbFormatException Unsupported(byte type, RdbMagicKind magic, long offset)
    {
        string reason = (magic, type) switch
        {
            (_, RdbValueType.ModulePreGa) => "module value of Redis 4.0 release candidates (type 6) is not supported (Redis refuses it too)",
            (RdbMagicKind.Valkey, RdbValueType.ValkeyPathHash) => "Valkey path hash (type 23) is recognised but not supported yet",
            _ => $"unknown value type {type} in a {(magic == RdbMagicKind.Valkey ? "VALKEY" : "REDIS")} file",
        };
        return new RdbFormatException(reason, offset);
    }
}
