namespace Shake.Core.Routing;

/// <summary>
/// Redis Cluster key-to-slot mapping: CRC16-XMODEM of the key (or of its hash tag) modulo <see cref="Count"/>.
/// </summary>
public static class ClusterSlot
{
    /// <summary>Number of hash slots in a Redis Cluster.</summary>
    public const int Count = 16384;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>
    /// The slot of <paramref name="key"/>. When the key holds a non-empty hash tag — the bytes between its first <c>{</c>
    /// and the first <c>}</c> after that — only the tag is hashed; an empty tag <c>{}</c> or an unclosed <c>{</c> hashes the whole key.
    /// </summary>
    public static int Of(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
                return Crc16(key.Slice(open + 1, close)) & (Count - 1);
        }
        return Crc16(key) & (Count - 1);
    }

    /// <summary>CRC-16/XMODEM (polynomial 0x1021, initial value 0, not reflected) of <paramref name="data"/>.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        var table = Table;
        ushort crc = 0;
        foreach (var b in data)
            crc = (ushort)((crc << 8) ^ table[(crc >> 8) ^ b]);
        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            table[i] = crc;
        }
        return table;
    }
}
