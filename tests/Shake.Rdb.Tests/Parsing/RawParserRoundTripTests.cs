using System.Text;
using Shake.Rdb.Dump;
using Shake.Rdb.Format;
using Shake.Rdb.Tests.Fixtures;
using Shake.Testing;
using Shake.TestSupport;

namespace Shake.Rdb.Tests.Parsing;

public class RawParserRoundTripTests
{
    [Fact]
    public async Task PayloadsBuiltFromASavedFileEqualTheServersOwnDumpAndRestoreOnAnotherServer()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await using var src = await RawRespClient.ConnectAsync(source.Port);
        await using var dst = await RawRespClient.ConnectAsync(target.Port);
        await Dataset.PopulateAsync(src);
        var dumps = await Dataset.DumpAllAsync(src, 0, 3);
        var bytes = await File.ReadAllBytesAsync(Dataset.DumpPath(source));

        // Small chunks make nearly every item straddle a read.
        var handler = RdbFiles.Parse(bytes, chunk: 7);
        Assert.True(handler.Ended);
        Assert.True(handler.ChecksumPresent && handler.ChecksumVerified);
        Assert.Equal(10, handler.Version);
        Assert.Equal(RdbMagicKind.Redis, handler.Magic);
        Assert.Equal(dumps.Count, handler.Entries.Count);
        Assert.Single(handler.Functions);
        Assert.Contains("testlib", Encoding.UTF8.GetString(handler.Functions[0]));
        Assert.Contains(handler.Aux, a => a.Key == "redis-ver");

        foreach (var e in handler.Entries)
        {
            var payload = DumpPayload.ToArray(e.Type, new System.Buffers.ReadOnlySequence<byte>(e.Raw), (ushort)e.RdbVersion);
            Assert.True(DumpPayload.Verify(payload, 10));
            Assert.Equal(DumpPayload.Length(e.Raw.Length), payload.Length);
            Assert.True(dumps.TryGetValue((e.Db, Convert.ToHexString(e.Key)), out var expected), $"unexpected key {e.KeyText}");
            Assert.Equal(expected, payload);
            var inOneSpan = new byte[payload.Length];
            Assert.Equal(payload.Length, DumpPayload.Write(inOneSpan, e.Type, e.Raw, (ushort)e.RdbVersion));
            Assert.Equal(expected, inOneSpan);

            await dst.ExecuteAsync("SELECT", e.Db.ToString());
            await dst.ExecuteAsync([Encoding.UTF8.GetBytes("RESTORE"), e.Key, "0"u8.ToArray(), payload]);
        }
        var restored = await Dataset.DumpAllAsync(dst, 0, 3);
        Assert.Equal(dumps.Count, restored.Count);

        var ttl = handler.Entries.Single(e => e.KeyText == "str:ttl");
        Assert.Equal(4102444800000, ttl.ExpireAtMs);
        Assert.Equal(-1, handler.Entries.Single(e => e.KeyText == "str:small").ExpireAtMs);
        Assert.Contains(handler.Entries, e => e.KeyText == "12345");
        Assert.Contains(handler.Entries, e => e.KeyText == new string('k', 100));
        Assert.Equal(3, handler.Entries.Single(e => e.KeyText == "db3:key").Db);
        Assert.Contains(handler.Entries, e => e.Type == RdbValueType.ListQuicklist2);
        Assert.Contains(handler.Entries, e => e.Type == RdbValueType.StreamListpacks2);
        Assert.Contains(handler.Entries, e => e.Type == RdbValueType.ZSet2);
        Assert.Contains(handler.Entries, e => e.Type == RdbValueType.SetIntset);
    }

    [Fact]
    public async Task WholeBufferAndChunkedParsesAgree()
    {
        await using var source = await RedisServer.StartAsync();
        await using var src = await RawRespClient.ConnectAsync(source.Port);
        await Dataset.PopulateAsync(src);
        var bytes = await File.ReadAllBytesAsync(Dataset.DumpPath(source));
        var whole = RdbFiles.ParseWhole(bytes);
        foreach (var chunk in new[] { 1, 3, 64, 1 << 20 })
        {
            var chunked = RdbFiles.Parse(bytes, chunk: chunk);
            Assert.Equal(whole.Entries.Count, chunked.Entries.Count);
            for (int i = 0; i < whole.Entries.Count; i++)
            {
                Assert.Equal(whole.Entries[i].Key, chunked.Entries[i].Key);
                Assert.Equal(whole.Entries[i].Raw, chunked.Entries[i].Raw);
                Assert.Equal(whole.Entries[i].Offset, chunked.Entries[i].Offset);
            }
        }
    }
}
