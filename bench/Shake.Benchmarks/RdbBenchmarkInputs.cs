using System.Buffers.Binary;
using System.Text;
using Shake.Rdb.Checksums;

namespace Shake.Benchmarks;

/// <summary>Writes the RDB files the parser benchmarks read: many small strings, a few huge values, a mix of types, compact encodings.</summary>
public static class RdbBenchmarkInputs
{
    public static byte[] SmallStrings(int count)
    {
        var w = new Writer();
        w.Header();
        for (int i = 0; i < count; i++)
        {
            w.Byte(0);
            w.String($"key:{i:D10}");
            w.String($"value:{i:D10}");
        }
        return w.End();
    }

    public static byte[] LargeValues(int count, int size)
    {
        var w = new Writer();
        w.Header();
        var value = new byte[size];
        new Random(7).NextBytes(value);
        for (int i = 0; i < count; i++)
        {
            w.Byte(0);
            w.String($"big:{i}");
            w.String(value);
        }
        return w.End();
    }

    /// <summary>One hash (hash-table encoding) of <paramref name="fields"/> fields with values of about 100 bytes, then one small key.</summary>
    public static byte[] BigHash(int fields)
    {
        var w = new Writer();
        w.Header();
        w.Byte(4);
        w.String("big");
        w.Length(fields);
        var value = new byte[96];
        var random = new Random(11);
        for (int i = 0; i < fields; i++)
        {
            w.String($"field:{i}");
            random.NextBytes(value);
            w.String(value);
        }
        w.Byte(0); w.String("after"); w.String("x");
        return w.End();
    }

    /// <summary>Strings, lists, sets, hashes and sorted sets (plain encodings), about a third with expiries.</summary>
    public static byte[] Mixed(int count)
    {
        var w = new Writer();
        w.Header();
        for (int i = 0; i < count; i++)
        {
            if (i % 3 == 0) { w.Byte(252); w.Int64(4102444800000 + i); }
            switch (i % 5)
            {
                case 0:
                    w.Byte(0); w.String($"str:{i}"); w.String($"some string value {i}");
                    break;
                case 1:
                    w.Byte(1); w.String($"list:{i}"); w.Length(8);
                    for (int j = 0; j < 8; j++) w.String($"item-{j}");
                    break;
                case 2:
                    w.Byte(2); w.String($"set:{i}"); w.Length(8);
                    for (int j = 0; j < 8; j++) w.String($"member-{j}");
                    break;
                case 3:
                    w.Byte(4); w.String($"hash:{i}"); w.Length(6);
                    for (int j = 0; j < 6; j++) { w.String($"field-{j}"); w.String($"value-{j}"); }
                    break;
                default:
                    w.Byte(5); w.String($"zset:{i}"); w.Length(6);
                    for (int j = 0; j < 6; j++) { w.String($"m{j}"); w.Double(j * 1.5); }
                    break;
            }
        }
        return w.End();
    }

    /// <summary>
    /// What RDB 10+ files mostly hold: small hashes, sets and sorted sets as listpacks, sets of integers as intsets,
    /// lists as quicklists of one listpack node, each with 8 elements (pairs for hashes and sorted sets).
    /// </summary>
    public static byte[] Compact(int count)
    {
        var w = new Writer();
        w.Header();
        var elements = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            elements.Clear();
            switch (i % 5)
            {
                case 0:
                    for (int j = 0; j < 8; j++) { elements.Add(Encoding.UTF8.GetBytes($"field-{j}")); elements.Add(Encoding.UTF8.GetBytes($"value-{i}-{j}")); }
                    w.Byte(16); w.String($"hash:{i}"); w.String(Listpack(elements));
                    break;
                case 1:
                    for (int j = 0; j < 8; j++) elements.Add(Encoding.UTF8.GetBytes($"member-{i}-{j}"));
                    w.Byte(20); w.String($"set:{i}"); w.String(Listpack(elements));
                    break;
                case 2:
                    for (int j = 0; j < 8; j++) { elements.Add(Encoding.UTF8.GetBytes($"m-{j}")); elements.Add([(byte)(j * 10)]); }
                    w.Byte(17); w.String($"zset:{i}"); w.String(Listpack(elements, integerEvery: 2));
                    break;
                case 3:
                    for (int j = 0; j < 8; j++) elements.Add(Encoding.UTF8.GetBytes($"item-{i}-{j}"));
                    w.Byte(18); w.String($"list:{i}"); w.Length(1); w.Length(2); w.String(Listpack(elements));
                    break;
                default:
                {
                    var intset = new byte[8 + 8 * 2];
                    BinaryPrimitives.WriteUInt32LittleEndian(intset, 2);
                    BinaryPrimitives.WriteUInt32LittleEndian(intset.AsSpan(4), 8);
                    for (int j = 0; j < 8; j++) BinaryPrimitives.WriteInt16LittleEndian(intset.AsSpan(8 + 2 * j), (short)(j * 100 + i % 50));
                    w.Byte(11); w.String($"ints:{i}"); w.String(intset);
                    break;
                }
            }
        }
        return w.End();
    }

    /// <summary>A listpack of short strings (under 64 bytes); with <paramref name="integerEvery"/> every such element is a 7-bit integer (its one byte).</summary>
    private static byte[] Listpack(List<byte[]> elements, int integerEvery = 0)
    {
        var body = new List<byte>();
        for (int i = 0; i < elements.Count; i++)
        {
            if (integerEvery > 0 && i % integerEvery == integerEvery - 1)
            {
                body.Add(elements[i][0]);
                body.Add(1);
            }
            else
            {
                body.Add((byte)(0x80 | elements[i].Length));
                body.AddRange(elements[i]);
                body.Add((byte)(1 + elements[i].Length));
            }
        }
        var blob = new byte[6 + body.Count + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)blob.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(4), (ushort)elements.Count);
        body.CopyTo(blob, 6);
        blob[^1] = 0xFF;
        return blob;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _out = new();

        public void Header() => _out.Write("REDIS0010"u8);
        public void Byte(byte b) => _out.WriteByte(b);

        public void Length(int n)
        {
            if (n < 64) Byte((byte)n);
            else if (n < 16384) { Byte((byte)(0x40 | (n >> 8))); Byte((byte)n); }
            else { Byte(0x80); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32BigEndian(b, n); _out.Write(b); }
        }

        public void String(string s) => String(Encoding.UTF8.GetBytes(s));
        public void String(byte[] s) { Length(s.Length); _out.Write(s); }
        public void Int64(long v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); _out.Write(b); }
        public void Double(double v) => Int64(BitConverter.DoubleToInt64Bits(v));

        public byte[] End()
        {
            Byte(255);
            Int64((long)Crc64.Compute(_out.GetBuffer().AsSpan(0, (int)_out.Length)));
            return _out.ToArray();
        }
    }
}
