using System.Buffers.Binary;
using Shake.Rdb.Encodings;
using Shake.Testing;
using Shake.TestSupport;
using static Shake.Rdb.Tests.Encodings.ServerBlobs;

namespace Shake.Rdb.Tests.Encodings;

public class ListpackReaderTests
{
    /// <summary>Values that between them hit every listpack encoding.</summary>
    public static readonly string[] EveryEncoding =
    [
        "0", "1", "127", "128", "-1", "-4096", "4095", "4096", "-4097", "32767", "-32768", "32768", "8388607", "-8388608", "8388608",
        "2147483647", "-2147483648", "2147483648", "9223372036854775807", "-9223372036854775808",
        "", "a", "007", "1.5", "-0", "+1", " 1", new string('s', 63), new string('t', 64), new string('u', 4095), new string('v', 4096),
        new string('w', 20000), "\u00ff\u0000\u00fe\u0001binary",
    ];

    [Fact]
    public async Task Decodes_list_listpacks_written_by_real_redis()
    {
        await using var server = await RedisServer.StartAsync(["--list-max-listpack-size", "-5"]);
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        await RunAsync(client, ["RPUSH", "list", .. EveryEncoding]);
        var random = new Random(1);
        var many = Enumerable.Range(0, 3000).Select(_ => random.Next(3) switch
        {
            0 => random.NextInt64(long.MinValue, long.MaxValue).ToString(),
            1 => random.Next(-200000, 200000).ToString(),
            _ => new string((char)('a' + random.Next(26)), random.Next(0, 200)),
        }).ToArray();
        await RunAsync(client, ["RPUSH", "many", .. many]);

        var sawLzf = false;
        foreach (var key in new[] { "list", "many" })
        {
            var expected = await TextsAsync(client, "LRANGE", key, "0", "-1");
            var nodes = await QuicklistNodesWithCompressionAsync(client, key);
            sawLzf |= nodes.Any(n => n.WasLzf);
            var decoded = nodes.SelectMany(n => Drain.Listpack(n.Blob)).ToList();
            Assert.Equal(expected, decoded);
        }
        Assert.True(sawLzf, "some listpack should have been stored LZF-compressed, exercising Lzf on real payloads");
    }

    [Fact]
    public async Task Decodes_hash_and_zset_listpacks_written_by_real_redis()
    {
        await using var server = await RedisServer.StartAsync(["--hash-max-listpack-value", "5000", "--zset-max-listpack-value", "5000"]);
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        var pairs = new List<string>();
        for (var i = 0; i < EveryEncoding.Length; i++)
        {
            if (EveryEncoding[i].Length > 5000) continue;
            pairs.Add("f" + EveryEncoding[i]);
            pairs.Add(EveryEncoding[i]);
        }
        await RunAsync(client, ["HSET", "hash", .. pairs]);
        Assert.Equal(await TextsAsync(client, "HGETALL", "hash"), Drain.Listpack(await SingleBlobAsync(client, "hash", TypeHashListpack)));

        await RunAsync(client, ["ZADD", "zset", "1", "one", "2.5", "two", "-3", "three", "1e20", "big", "100000", "m", "-inf", "low", "inf", "high", "0", "zero"]);
        Assert.Equal(await TextsAsync(client, "ZRANGE", "zset", "0", "-1", "WITHSCORES"), Drain.Listpack(await SingleBlobAsync(client, "zset", TypeZsetListpack)));
    }

    [Fact]
    public void Reports_declared_count_and_unknown_count()
    {
        var blob = ListpackBuilder.Build([.. Enumerable.Range(0, 70000).Select(i => (object)(long)(i % 100))]);
        var reader = new ListpackReader(blob);
        Assert.Equal(ListpackReader.UnknownCount, reader.DeclaredCount);
        var n = 0;
        while (reader.TryRead(out var e)) { Assert.Equal(n % 100, e.Integer); n++; }
        Assert.Equal(70000, n);

        var small = new ListpackReader(ListpackBuilder.Build(["x", 5L]));
        Assert.Equal(2, small.DeclaredCount);
    }

    [Fact]
    public void Element_accessors_and_formatting()
    {
        var reader = new ListpackReader(ListpackBuilder.Build([-1234567890123L, "hello"]));
        Assert.True(reader.TryRead(out var e));
        Assert.True(e.IsInteger);
        Assert.Equal(-1234567890123L, e.Integer);
        Assert.True(e.Bytes.IsEmpty);
        Assert.Equal(14, e.FormattedLength);
        Assert.Throws<ArgumentException>(() => { var r = new ListpackReader(ListpackBuilder.Build([-1234567890123L])); r.TryRead(out var x); x.FormatTo(new byte[13]); });
        Assert.True(reader.TryRead(out e));
        Assert.False(e.IsInteger);
        Assert.Equal("hello"u8.ToArray(), e.Bytes.ToArray());
        Assert.False(e.TryGetInteger(out _));
        Assert.False(reader.TryRead(out _));
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void Count_mismatch_is_rejected()
    {
        var blob = ListpackBuilder.Build(["a", "b", "c"]);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(4), 4);
        var ex = Assert.Throws<RdbFormatException>(() => Drain.Listpack(blob));
        Assert.Contains("declares 4 elements", ex.Message);
    }

    [Fact]
    public void Header_problems_are_rejected()
    {
        var blob = ListpackBuilder.Build(["a"]);
        Assert.Throws<RdbFormatException>(() => new ListpackReader(blob.AsSpan(0, 6)));
        Assert.Throws<RdbFormatException>(() => new ListpackReader(blob.AsSpan(0, blob.Length - 1)));
        var noEnd = blob.ToArray();
        noEnd[^1] = 0;
        Assert.Throws<RdbFormatException>(() => new ListpackReader(noEnd));
        // Bad backlen.
        var badBack = blob.ToArray();
        badBack[^2] ^= 1;
        Assert.Throws<RdbFormatException>(() => Drain.Listpack(badBack));
        // Unknown encoding byte.
        var unknown = blob.ToArray();
        unknown[6] = 0xF5;
        var ex = Assert.Throws<RdbFormatException>(() => Drain.Listpack(unknown));
        Assert.Equal(6, ex.Offset);
        // A string length that runs past the end.
        var longString = blob.ToArray();
        longString[6] = 0xBF;
        ex = Assert.Throws<RdbFormatException>(() => Drain.Listpack(longString));
        Assert.Contains("runs past the end of the blob", ex.Message);
    }

    [Fact]
    public async Task Every_truncation_and_mutation_is_rejected_cleanly()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        await RunAsync(client, ["HSET", "h", "a", "1", "bb", "-300", "ccc", "70000", "d", "x".PadRight(40, 'y'), "e", "5000000000"]);
        var blob = await SingleBlobAsync(client, "h", TypeHashListpack);
        for (var cut = 0; cut < blob.Length; cut++)
        {
            var truncated = blob[..cut];
            Assert.Throws<RdbFormatException>(() => Drain.Listpack(truncated));
            // Also with a header and end marker patched to look consistent, so the entries themselves are cut.
            if (cut >= 7)
            {
                var patched = truncated.ToArray();
                BinaryPrimitives.WriteUInt32LittleEndian(patched, (uint)patched.Length);
                patched[^1] = 0xFF;
                Assert.Throws<RdbFormatException>(() => Drain.Listpack(patched));
            }
        }
        var random = new Random(3);
        for (var i = 0; i < 5000; i++)
        {
            var mutated = blob.ToArray();
            var at = random.Next(6, mutated.Length - 1);
            mutated[at] = (byte)random.Next(256);
            Drain.SurvivesOrRejects(() => Drain.Listpack(mutated));
        }
    }
}
