using System.Text;
using Shake.Rdb.Compression;
using Shake.Rdb.Tests.Support;
using Shake.Testing;
using Shake.TestSupport;

namespace Shake.Rdb.Tests.Compression;

public class LzfTests
{
    public static TheoryData<string> Shapes => new() { "random", "repetitive", "text", "zeros", "mixed" };

    private static byte[] Make(string shape, int length, int seed)
    {
        var random = new Random(seed);
        var data = new byte[length];
        switch (shape)
        {
            case "random": random.NextBytes(data); break;
            case "repetitive": for (var i = 0; i < length; i++) data[i] = (byte)"abcabcabd"[i % 9]; break;
            case "text":
                var words = new[] { "redis ", "shake ", "replication ", "key:", "value ", "12345 ", "{tag}" };
                var sb = new StringBuilder();
                while (sb.Length < length) sb.Append(words[random.Next(words.Length)]);
                Encoding.ASCII.GetBytes(sb.ToString(0, length), data);
                break;
            case "zeros": break;
            default:
                for (var i = 0; i < length; i++) data[i] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)(i / 50);
                break;
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Round_trips(string shape)
    {
        foreach (var length in new[] { 1, 2, 3, 4, 5, 31, 32, 33, 64, 100, 263, 264, 265, 1000, 8191, 8192, 8193, 20000, 100_000 })
        {
            var data = Make(shape, length, length);
            var compressed = new byte[length + length / 16 + 64];
            var written = Lzf.Compress(data, compressed);
            if (written == 0)
            {
                Assert.Equal("random", shape is "random" or "mixed" ? "random" : shape + $" len {length}");
                continue;
            }
            Assert.True(written < compressed.Length);
            var plain = new byte[length];
            Assert.Equal(length, Lzf.Decompress(compressed.AsSpan(0, written), plain));
            Assert.Equal(data, plain);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Check_accepts_and_refuses_exactly_what_Decompress_does(string shape)
    {
        var random = new Random(17);
        foreach (var length in new[] { 40, 300, 9000 })
        {
            var data = Make(shape, length, length);
            var compressed = new byte[length + length / 16 + 64];
            var written = Lzf.Compress(data, compressed);
            if (written == 0) continue;
            var valid = compressed.AsSpan(0, written).ToArray();
            Lzf.Check(valid, length);
            for (var m = 0; m < 300; m++)
            {
                var mutant = (byte[])valid.Clone();
                mutant[random.Next(mutant.Length)] = (byte)random.Next(256);
                var expected = random.Next(4) == 0 ? length + random.Next(-3, 4) : length;
                if (expected < 0) continue;
                var decompressed = Throws(() => Lzf.Decompress(mutant, new byte[expected]));
                var checkedOnly = Throws(() => Lzf.Check(mutant, expected));
                Assert.True(decompressed == checkedOnly, $"{shape} {length}: mutant {m} Decompress {(decompressed ? "refused" : "accepted")}, Check {(checkedOnly ? "refused" : "accepted")}");
            }
        }

        static bool Throws(Action action)
        {
            try { action(); return false; }
            catch (RdbFormatException) { return true; }
        }
    }

    [Fact]
    public void Compress_returns_zero_when_no_saving_fits()
    {
        var data = Make("random", 500, 1);
        Assert.Equal(0, Lzf.Compress(data, new byte[data.Length - 1]));
        Assert.Equal(0, Lzf.Compress(data, new byte[data.Length]));
        var zeros = new byte[500];
        var output = new byte[499];
        var written = Lzf.Compress(zeros, output);
        Assert.InRange(written, 1, 20);
        // Exactly-sized output is not enough: the result must be strictly smaller than output.Length.
        Assert.Equal(0, Lzf.Compress(zeros, new byte[written]));
        Assert.Equal(written, Lzf.Compress(zeros, new byte[written + 1]));
    }

    [Fact]
    public void Compressed_repetitive_data_is_small()
    {
        var data = Make("repetitive", 10_000, 0);
        var output = new byte[data.Length];
        var written = Lzf.Compress(data, output);
        Assert.InRange(written, 1, data.Length / 20);
    }

    [Fact]
    public async Task Decompresses_payloads_written_by_real_redis()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        var values = new List<byte[]>
        {
            Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("hello world ", 20))),
            Encoding.ASCII.GetBytes(new string('x', 200)),
            Make("text", 5000, 3),
            Make("mixed", 70_000, 4),
            Make("repetitive", 300, 5),
        };
        for (var i = 0; i < values.Count; i++)
        {
            await client.ExecuteAsync(Encoding.ASCII.GetBytes("SET"), Encoding.ASCII.GetBytes($"k{i}"), values[i]);
            var dump = new DumpPayload(await client.BytesAsync("DUMP", $"k{i}"));
            Assert.Equal(0, dump.Type);
            var (compressed, plainLength) = dump.ReadLzfRaw();
            Assert.Equal(values[i].Length, plainLength);
            var plain = new byte[plainLength];
            Assert.Equal(plainLength, Lzf.Decompress(compressed, plain));
            Assert.Equal(values[i], plain);
        }
    }

    [Fact]
    public async Task Real_redis_loads_our_compressed_strings()
    {
        // Build a DUMP payload with our LZF output and RESTORE it: the server must decompress it to the same value.
        await using var server = await RedisServer.StartAsync();
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        var value = Make("text", 3000, 11);
        await client.ExecuteAsync(Encoding.ASCII.GetBytes("SET"), "ref"u8.ToArray(), value);
        var reference = await client.BytesAsync("DUMP", "ref");
        var compressed = new byte[value.Length];
        var written = Lzf.Compress(value, compressed);
        Assert.True(written > 0);
        var payload = new List<byte> { 0, 0xC3 };
        payload.AddRange(EncodeLength(written));
        payload.AddRange(EncodeLength(value.Length));
        payload.AddRange(compressed.AsSpan(0, written).ToArray());
        payload.AddRange(reference[^10..^8]); // RDB version of this server
        var crc = Shake.Rdb.Checksums.Crc64.Compute(payload.ToArray());
        payload.AddRange(BitConverter.GetBytes(crc));
        await client.ExecuteAsync(Encoding.ASCII.GetBytes("RESTORE"), "mine"u8.ToArray(), "0"u8.ToArray(), payload.ToArray());
        Assert.Equal(value, await client.BytesAsync("GET", "mine"));
    }

    private static byte[] EncodeLength(int length) =>
        length < 64 ? [(byte)length]
        : length < 16384 ? [(byte)(0x40 | (length >> 8)), (byte)length]
        : [0x80, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];

    [Fact]
    public void Back_reference_before_start_is_rejected()
    {
        // Control 0x20: length 3, distance 1 (byte 0x00), but nothing has been written yet.
        var ex = Assert.Throws<RdbFormatException>(() => Lzf.Decompress([0x20, 0x00], new byte[3]));
        Assert.Contains("LZF", ex.Message);
        Assert.Equal(0, ex.Offset);
        ex = Assert.Throws<RdbFormatException>(() => Lzf.Decompress([0x01, (byte)'a', (byte)'b', 0x20, 0x05], new byte[10]));
        Assert.Equal(3, ex.Offset);
    }

    [Fact]
    public void Truncated_and_mis_sized_inputs_are_rejected()
    {
        Assert.Throws<RdbFormatException>(() => Lzf.Decompress([0x05, (byte)'a', (byte)'b'], new byte[6]));   // literal cut short
        Assert.Throws<RdbFormatException>(() => Lzf.Decompress([0x00, (byte)'a', 0xE0], new byte[20]));    // missing length byte
        Assert.Throws<RdbFormatException>(() => Lzf.Decompress([0x00, (byte)'a', 0x20], new byte[20]));    // missing distance byte
        Assert.Throws<RdbFormatException>(() => Lzf.Decompress([0x02, (byte)'a', (byte)'b', (byte)'c'], new byte[2])); // too large
        Assert.Throws<RdbFormatException>(() => Lzf.Decompress([0x02, (byte)'a', (byte)'b', (byte)'c'], new byte[4])); // too small
    }

    [Fact]
    public void Every_truncation_of_valid_data_throws_format_errors_only()
    {
        var data = Make("text", 2000, 8);
        var compressed = new byte[data.Length];
        var written = Lzf.Compress(data, compressed);
        var plain = new byte[data.Length];
        for (var cut = 0; cut < written; cut++)
            Assert.Throws<RdbFormatException>(() => Lzf.Decompress(compressed.AsSpan(0, cut), plain));
        var random = new Random(2);
        for (var i = 0; i < 2000; i++)
        {
            var mutated = compressed.AsSpan(0, written).ToArray();
            mutated[random.Next(written)] = (byte)random.Next(256);
            try { Lzf.Decompress(mutated, plain); }
            catch (RdbFormatException) { }
        }
    }

    [Fact]
    public void Overlapping_back_reference_repeats_bytes()
    {
        // literal "ab", then a reference of length 8 at distance 2 → "ababababab".
        var output = new byte[10];
        Lzf.Decompress([0x01, (byte)'a', (byte)'b', 0xC0, 0x01], output);
        Assert.Equal("ababababab"u8.ToArray(), output);
    }

    [Fact]
    public void Decompress_matches_a_plain_reference_on_random_valid_streams()
    {
        // Random streams mixing literals and back-references of every distance class, including runs that end exactly at the output's end.
        var random = new Random(21);
        for (var round = 0; round < 500; round++)
        {
            var stream = new List<byte>();
            var expected = new List<byte>();
            var runs = random.Next(1, 60);
            for (var r = 0; r < runs; r++)
            {
                if (expected.Count == 0 || random.Next(2) == 0)
                {
                    var literal = random.Next(1, 33);
                    stream.Add((byte)(literal - 1));
                    for (var i = 0; i < literal; i++) { var b = (byte)random.Next(256); stream.Add(b); expected.Add(b); }
                }
                else
                {
                    var distance = random.Next(3) == 0 ? random.Next(1, 9) : random.Next(1, Math.Min(expected.Count, 8192) + 1);
                    distance = Math.Min(distance, expected.Count);
                    var length = random.Next(3) == 0 ? random.Next(3, 265) : random.Next(3, 12);
                    var code = length - 2;
                    var offset = distance - 1;
                    if (code < 7) stream.Add((byte)((code << 5) | (offset >> 8)));
                    else { stream.Add((byte)((7 << 5) | (offset >> 8))); stream.Add((byte)(code - 7)); }
                    stream.Add((byte)offset);
                    for (var i = 0; i < length; i++) expected.Add(expected[expected.Count - distance]);
                }
            }
            var output = new byte[expected.Count];
            Assert.Equal(expected.Count, Lzf.Decompress(stream.ToArray(), output));
            Assert.Equal(expected.ToArray(), output);
        }
    }
}
