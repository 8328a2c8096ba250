using System.Buffers.Binary;
using Shake.Rdb.Encodings;
using Shake.Testing;
using Shake.TestSupport;
using static Shake.Rdb.Tests.Encodings.ServerBlobs;

namespace Shake.Rdb.Tests.Encodings;

public class IntsetReaderTests
{
    [Fact]
    public async Task Decodes_intsets_of_every_width_written_by_real_redis()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        await RunAsync(client, "SADD", "s16", "5", "-3", "32767", "-32768", "0");
        await RunAsync(client, "SADD", "s32", "5", "70000", "-2147483648", "2147483647");
        await RunAsync(client, "SADD", "s64", "1", "-9223372036854775808", "9223372036854775807", "5000000000");
        var random = new Random(5);
        await RunAsync(client, ["SADD", "big", .. Enumerable.Range(0, 400).Select(_ => random.Next(-100000, 100000).ToString())]);
        foreach (var (key, width) in new[] { ("s16", 2), ("s32", 4), ("s64", 8), ("big", 4) })
        {
            var blob = await SingleBlobAsync(client, key, TypeSetIntset);
            Assert.Equal(width, BinaryPrimitives.ReadInt32LittleEndian(blob));
            var expected = (await TextsAsync(client, "SMEMBERS", key)).Select(long.Parse).Order().ToList();
            var reader = new IntsetReader(blob);
            Assert.Equal(expected.Count, reader.Count);
            Assert.Equal(expected, Drain.Intset(blob));
        }
    }

    [Fact]
    public void Malformed_intsets_are_rejected()
    {
        byte[] valid = [2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0];
        Assert.Equal([1L, 2L], Drain.Intset(valid));
        for (var cut = 0; cut < valid.Length; cut++)
            Assert.Throws<RdbFormatException>(() => new IntsetReader(valid.AsSpan(0, cut)));
        Assert.Throws<RdbFormatException>(() => new IntsetReader([.. valid, 0]));
        var badWidth = valid.ToArray();
        badWidth[0] = 3;
        Assert.Throws<RdbFormatException>(() => new IntsetReader(badWidth));
        var hugeCount = valid.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(hugeCount.AsSpan(4), uint.MaxValue);
        Assert.Throws<RdbFormatException>(() => new IntsetReader(hugeCount));
        Assert.Empty(Drain.Intset([8, 0, 0, 0, 0, 0, 0, 0]));
    }
}
