using System.Buffers.Binary;
using System.Text;

namespace Shake.Rdb.Tests.Encodings;

/// <summary>
/// Writes listpacks from the format description (independently of the reader), for cases a server won't produce on demand
/// such as 65535+ elements. Integers use the smallest integer encoding; strings the smallest string encoding.
/// </summary>
internal static class ListpackBuilder
{
    public static byte[] Build(IEnumerable<object> elements)
    {
        var body = new List<byte>();
        var count = 0;
        foreach (var element in elements)
        {
            var entry = element switch
            {
                long v => EncodeInteger(v),
                string s => EncodeString(Encoding.Latin1.GetBytes(s)),
                byte[] b => EncodeString(b),
                _ => throw new ArgumentException("element must be long, string or byte[]"),
            };
            body.AddRange(entry);
            body.AddRange(Backlen(entry.Length));
            count++;
        }
        var blob = new byte[6 + body.Count + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)blob.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(4), (ushort)Math.Min(count, 65535));
        body.CopyTo(blob, 6);
        blob[^1] = 0xFF;
        return blob;
    }

    private static byte[] EncodeInteger(long v)
    {
        if (v is >= 0 and <= 127) return [(byte)v];
        if (v is >= -4096 and <= 4095) return [(byte)(0xC0 | ((v >> 8) & 0x1F)), (byte)v];
        if (v is >= short.MinValue and <= short.MaxValue) return [0xF1, (byte)v, (byte)(v >> 8)];
        if (v is >= -(1 << 23) and < 1 << 23) return [0xF2, (byte)v, (byte)(v >> 8), (byte)(v >> 16)];
        if (v is >= int.MinValue and <= int.MaxValue) return [0xF3, (byte)v, (byte)(v >> 8), (byte)(v >> 16), (byte)(v >> 24)];
        var r = new byte[9];
        r[0] = 0xF4;
        BinaryPrimitives.WriteInt64LittleEndian(r.AsSpan(1), v);
        return r;
    }

    private static byte[] EncodeString(byte[] s)
    {
        if (s.Length < 64) return [(byte)(0x80 | s.Length), .. s];
        if (s.Length < 4096) return [(byte)(0xE0 | (s.Length >> 8)), (byte)s.Length, .. s];
        return [0xF0, (byte)s.Length, (byte)(s.Length >> 8), (byte)(s.Length >> 16), (byte)(s.Length >> 24), .. s];
    }

    private static byte[] Backlen(int l)
    {
        if (l <= 127) return [(byte)l];
        if (l < 16383) return [(byte)(l >> 7), (byte)((l & 127) | 128)];
        if (l < 2097151) return [(byte)(l >> 14), (byte)(((l >> 7) & 127) | 128), (byte)((l & 127) | 128)];
        return [(byte)(l >> 21), (byte)(((l >> 14) & 127) | 128), (byte)(((l >> 7) & 127) | 128), (byte)((l & 127) | 128)];
    }
}
