using System.Buffers.Binary;
using System.Text;

namespace Shake.Rdb.Tests.Encodings;

/// <summary>Writes ziplists from the format description (independently of the reader); integers use the smallest encoding.</summary>
internal static class ZiplistBuilder
{
    public static byte[] Build(IEnumerable<object> elements)
    {
        var body = new List<byte>();
        var previous = 0;
        var lastOffset = 10;
        var count = 0;
        foreach (var element in elements)
        {
            var entry = new List<byte>();
            if (previous < 254) entry.Add((byte)previous);
            else { entry.Add(0xFE); entry.AddRange(BitConverter.GetBytes((uint)previous)); }
            switch (element)
            {
                case long v: entry.AddRange(EncodeInteger(v)); break;
                case string s: entry.AddRange(EncodeString(Encoding.Latin1.GetBytes(s))); break;
                default: throw new ArgumentException("element must be long or string");
            }
            lastOffset = 10 + body.Count;
            body.AddRange(entry);
            previous = entry.Count;
            count++;
        }
        var blob = new byte[10 + body.Count + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)blob.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), (uint)lastOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(8), (ushort)Math.Min(count, 65535));
        body.CopyTo(blob, 10);
        blob[^1] = 0xFF;
        return blob;
    }

    private static byte[] EncodeInteger(long v)
    {
        if (v is >= 0 and <= 12) return [(byte)(0xF1 + v)];
        if (v is >= sbyte.MinValue and <= sbyte.MaxValue) return [0xFE, (byte)v];
        if (v is >= short.MinValue and <= short.MaxValue) return [0xC0, (byte)v, (byte)(v >> 8)];
        if (v is >= -(1 << 23) and < 1 << 23) return [0xF0, (byte)v, (byte)(v >> 8), (byte)(v >> 16)];
        if (v is >= int.MinValue and <= int.MaxValue) return [0xD0, (byte)v, (byte)(v >> 8), (byte)(v >> 16), (byte)(v >> 24)];
        return [0xE0, .. BitConverter.GetBytes(v)];
    }

    private static byte[] EncodeString(byte[] s)
    {
        if (s.Length < 64) return [(byte)s.Length, .. s];
        if (s.Length < 16384) return [(byte)(0x40 | (s.Length >> 8)), (byte)s.Length, .. s];
        return [0x80, (byte)(s.Length >> 24), (byte)(s.Length >> 16), (byte)(s.Length >> 8), (byte)s.Length, .. s];
    }
}
