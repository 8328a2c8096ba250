using System.Buffers;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;
using Shake.Testing;

namespace Shake.Resp.Tests;

public class DataHarnessTests
{
    private readonly struct Restore(byte[] key, long ttl, byte[] payload) : IRespCommand
    {
        public void WriteTo(IBufferWriter<byte> output)
        {
            RespCommandWriter.WriteArrayHeader(output, 5);
            RespCommandWriter.WriteBulk(output, "RESTORE"u8);
            RespCommandWriter.WriteBulk(output, key);
            RespCommandWriter.WriteBulk(output, ttl);
            RespCommandWriter.WriteBulk(output, payload);
            RespCommandWriter.WriteBulk(output, "REPLACE"u8);
        }
    }

    /// <summary>Copies every key of one db with DUMP/PTTL/RESTORE, as a crude stand-in for a sync.</summary>
    private static async Task CopyAsync(RedisServer source, RedisServer target, int db)
    {
        var from = new PipelinedClient<int>(await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = source.Address, Database = db }), 64);
        var to = new PipelinedClient<int>(await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = target.Address, Database = db }), 64);
        await using (from)
        await using (to)
        {
            var cursor = "0";
            do
            {
                var page = await from.SendAsync("SCAN", cursor, "COUNT", "500");
                cursor = page.Items[0].AsString()!;
                foreach (var key in page.Items[1].Items)
                {
                    var dump = from.SendAsync(new BytesCommand(["DUMP"u8.ToArray(), key.Bytes]));
                    var ttl = (await from.SendAsync(new BytesCommand(["PTTL"u8.ToArray(), key.Bytes]))).Integer;
                    (await to.SendAsync(new Restore(key.Bytes, Math.Max(0, ttl), (await dump).Bytes))).ThrowIfError();
                }
            } while (cursor != "0");
        }
    }

    [Fact]
    public async Task PopulatedDataCoversEveryEncodingAndACopyComparesEqual()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        var written = await TestDataWriter.PopulateAsync(source.Address, keysPerKind: 4, dbs: [0, 3]);
        Assert.Equal(4 * TestDataWriter.Kinds.Count * 2, written);

        await using (var check = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = source.Address }))
        {
            async Task<string?> Encoding(string key) => (await check.ExecuteAsync("OBJECT", "ENCODING", key)).AsString();
            Assert.Equal("embstr", await Encoding("string:small:1"));
            Assert.Equal("raw", await Encoding("string:large:1"));
            Assert.Equal("int", await Encoding("string:int:1"));
            // Redis 7.0 keeps small lists as a single-node quicklist; 7.2 reports them as listpack.
            Assert.Contains(await Encoding("list:small:1"), new[] { "listpack", "quicklist" });
            Assert.Contains(await Encoding("set:small:1"), new[] { "listpack", "hashtable" });
            Assert.Equal("quicklist", await Encoding("list:large:1"));
            Assert.Equal("intset", await Encoding("set:int:1"));
            Assert.Equal("hashtable", await Encoding("set:large:1"));
            Assert.Equal("listpack", await Encoding("zset:small:1"));
            Assert.Equal("skiplist", await Encoding("zset:large:1"));
            Assert.Equal("listpack", await Encoding("hash:small:1"));
            Assert.Equal("hashtable", await Encoding("hash:large:1"));
            Assert.Equal(12, (await check.ExecuteAsync("XPENDING", "stream:1", "readers")).Items[0].Integer);
            Assert.InRange((await check.ExecuteAsync("PTTL", "list:small:3")).Integer, 3_000_000, 3_700_000);
            Assert.Equal(-1, (await check.ExecuteAsync("PTTL", "list:small:1")).Integer);
        }

        await CopyAsync(source, target, 0);
        await CopyAsync(source, target, 3);
        await RedisDataComparer.AssertEqualAsync(source.Address, target.Address, TimeSpan.FromSeconds(5));
        var result = await RedisDataComparer.CompareAsync(RedisDataSide.Standalone(source.Address), RedisDataSide.Standalone(target.Address), TimeSpan.FromSeconds(5));
        Assert.Equal(written, result.KeysCompared);
        Assert.Empty(result.Differences);
    }

    [Fact]
    public async Task EveryKindOfDifferenceIsReportedByKey()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await TestDataWriter.PopulateAsync(source.Address, keysPerKind: 2);
        await CopyAsync(source, target, 0);
        await using (var t = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = target.Address }))
        {
            await t.ExecuteAsync("LSET", "list:large:0", "700", "changed");
            await t.ExecuteAsync("DEL", "hash:small:1");
            await t.ExecuteAsync("SET", "only-on-target", "x");
            await t.ExecuteAsync("PEXPIRE", "ttl:string:0", "60000");
            await t.ExecuteAsync("DEL", "set:small:0");
            await t.ExecuteAsync("RPUSH", "set:small:0", "m0-0");
            await t.ExecuteAsync("XACK", "stream:0", "readers", "1700000000010-0");
            await t.ExecuteAsync("SET", "string:binary:1", "\0\r\n");
            await t.ExecuteAsync("ZINCRBY", "zset:large:1", "0.5", "new-member");
        }
        var result = await RedisDataComparer.CompareAsync(RedisDataSide.Standalone(source.Address), RedisDataSide.Standalone(target.Address), TimeSpan.FromSeconds(5));
        var byKey = result.Differences.ToDictionary(d => d.Key, d => d.What);
        Assert.StartsWith("list value", byKey["list:large:0"]);
        Assert.Equal("missing on target", byKey["hash:small:1"]);
        Assert.Equal("extra on target", byKey["only-on-target"]);
        Assert.Equal("ttl", byKey["ttl:string:0"]);
        Assert.Equal("type", byKey["set:small:0"]);
        Assert.StartsWith("stream value", byKey["stream:0"]);
        Assert.StartsWith("string value", byKey["string:binary:1"]);
        Assert.StartsWith("zset value", byKey["zset:large:1"]);
        Assert.Equal(8, result.Differences.Count);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => RedisDataComparer.AssertEqualAsync(source.Address, target.Address, TimeSpan.FromSeconds(5)));
        Assert.Contains("'list:large:0'", failure.Message);
        Assert.Contains("1 missing on target", failure.Message);
        Assert.Contains(source.Address, failure.Message);
    }

    [Fact]
    public async Task TtlsAreComparedWithinTheTolerance()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await using var s = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = source.Address });
        await using var t = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = target.Address });
        await s.ExecuteAsync("SET", "k", "v", "PX", "100000");
        await t.ExecuteAsync("SET", "k", "v", "PX", "98000");
        await s.ExecuteAsync("SET", "\u00e9\u0001binary", "v");
        await t.ExecuteAsync("SET", "\u00e9\u0001binary", "v");
        await RedisDataComparer.AssertEqualAsync(source.Address, target.Address, TimeSpan.FromSeconds(3));
        var strict = await RedisDataComparer.CompareAsync(RedisDataSide.Standalone(source.Address), RedisDataSide.Standalone(target.Address), TimeSpan.FromMilliseconds(500));
        var difference = Assert.Single(strict.Differences);
        Assert.Equal("ttl", difference.What);
        Assert.Equal("k", difference.Key);
    }

    [Fact]
    public async Task ClusterSideIsScannedOnEveryMasterAndComparedWithAStandalone()
    {
        await using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        await using var standalone = await RedisServer.StartAsync();
        var nodes = new Dictionary<string, RedisConnection>();
        try
        {
            foreach (var node in cluster.Nodes)
                nodes[node.Address] = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = node.Address });
            await using var flat = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = standalone.Address });
            async Task BothAsync(params string[] command)
            {
                var reply = await nodes[cluster.SeedAddress].ExecuteAsync(command);
                if (reply.IsError && reply.AsError() is { Kind: RespErrorKind.Moved } moved)
                    reply = await nodes[moved.Endpoint!].ExecuteAsync(command);
                reply.ThrowIfError();
                (await flat.ExecuteAsync(command)).ThrowIfError();
            }
            for (var i = 0; i < 30; i++)
            {
                await BothAsync("SET", $"s{i}", $"v{i}");
                await BothAsync("RPUSH", $"l{i}", "a", "b", $"{i}");
                await BothAsync("HSET", $"h{i}", "f", $"{i}", "g", "x");
            }
            await BothAsync("SET", "with-ttl", "x", "EX", "500");
            var clusterSide = RedisDataSide.Cluster(cluster.Nodes.Select(n => n.Address));
            var standaloneSide = RedisDataSide.Standalone(standalone.Address);
            await RedisDataComparer.AssertEqualAsync(clusterSide, standaloneSide, TimeSpan.FromSeconds(5), [0]);

            await BothAsync("SET", "s7", "changed-on-both");
            (await flat.ExecuteAsync("SET", "s8", "changed-on-standalone-only")).ThrowIfError();
            var result = await RedisDataComparer.CompareAsync(clusterSide, standaloneSide, TimeSpan.FromSeconds(5), [0]);
            Assert.Equal(91, result.KeysCompared);
            Assert.Equal("s8", Assert.Single(result.Differences).Key);
        }
        finally
        {
            foreach (var connection in nodes.Values) await connection.DisposeAsync();
        }
    }
}
