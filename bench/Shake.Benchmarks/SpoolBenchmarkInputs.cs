using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Shake.Rdb.Checksums;

namespace Shake.Benchmarks;

/// <summary>
/// Replication stream bytes for the spool benchmarks: RESP SET commands with 100-byte values (random text, or small
/// JSON documents), and an RDB stream (the file in <c>SHAKE_BENCH_RDB</c> when set, e.g. a dump of bench/e2e/full-sync.sh's
/// dataset; otherwise a synthetic one with the same mix of types).
/// </summary>
public static class SpoolBenchmarkInputs
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static byte[] Create(string kind, int bytes) => kind switch
    {
        "resp-text" => RespSets(bytes, TextValue),
        "resp-json" => RespSets(bytes, JsonValue),
        "rdb" => Repeat(Environment.GetEnvironmentVariable("SHAKE_BENCH_RDB") is { Length: > 0 } path ? File.ReadAllBytes(path) : SyntheticRdb(200_000), bytes),
        _ => throw new ArgumentException($"unknown input {kind}", nameof(kind)),
    };

    private static byte[] RespSets(int bytes, Func<Random, int, string> value)
    {
        var random = new Random(11);
        var output = new MemoryStream(bytes + 1024);
        for (var i = 0; output.Length < bytes; i++)
        {
            var key = "key:" + random.Next(10_000_000).ToString("D8", CultureInfo.InvariantCulture);
            var text = value(random, i);
            output.Write(Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n${text.Length}\r\n{text}\r\n"));
        }
        return output.GetBuffer().AsSpan(0, bytes).ToArray();
    }

    private static string TextValue(Random random, int _)
    {
        Span<char> value = stackalloc char[100];
        for (var j = 0; j < value.Length; j++) value[j] = Letters[random.Next(Letters.Length)];
        return new string(value);
    }

    private static string JsonValue(Random random, int i)
    {
        var json = $"{{\"id\":{i},\"user\":\"u{random.Next(1_000_000)}\",\"score\":{random.Next(100_000) / 100.0:F2},\"active\":{(random.Next(2) == 0 ? "true" : "false")},\"tags\":[\"t{random.Next(50)}\"]}}";
        return json.Length >= 100 ? json[..100] : json.PadRight(100);
    }

    private static byte[] Repeat(byte[] source, int bytes)
    {
        var output = new byte[bytes];
        for (var i = 0; i < bytes; i += source.Length) source.AsSpan(0, Math.Min(source.Length, bytes - i)).CopyTo(output.AsSpan(i));
        return output;
    }

    /// <summary>bench/e2e/full-sync.sh's mix: 80% strings of 100 random characters, 10% hashes x10, 5% lists x20, 5% sorted sets x10.</summary>
    private static byte[] SyntheticRdb(int keys)
    {
        var random = new Random(4);
        var output = new MemoryStream();
        output.Write("REDIS0010"u8);
        void Length(int n)
        {
            if (n < 64) output.WriteByte((byte)n);
            else { output.WriteByte((byte)(0x40 | (n >> 8))); output.WriteByte((byte)n); }
        }
        void String(string s) { var b = Encoding.ASCII.GetBytes(s); Length(b.Length); output.Write(b); }
        for (var i = 0; i < keys; i++)
        {
            switch (i % 20)
            {
                case < 16:
                    output.WriteByte(0); String($"str:{i}"); String(TextValue(random, i));
                    break;
                case < 18:
                    output.WriteByte(4); String($"hash:{i}"); Length(10);
                    for (var f = 0; f < 10; f++) { String($"field{f}"); String($"v{i}-{random.Next(1_000_000)}"); }
                    break;
                case 18:
                    output.WriteByte(1); String($"list:{i}"); Length(20);
                    for (var e = 0; e < 20; e++) String($"item{e}-{random.Next(1_000_000)}");
                    break;
                default:
                    output.WriteByte(5); String($"zset:{i}"); Length(10);
                    for (var m = 0; m < 10; m++) { String($"member{m}"); String((random.NextDouble() * 1000).ToString("F6", CultureInfo.InvariantCulture)); }
                    break;
            }
        }
        output.WriteByte(255);
        Span<byte> crc = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(crc, Crc64.Compute(output.GetBuffer().AsSpan(0, (int)output.Length)));
        output.Write(crc);
        return output.ToArray();
    }
}
