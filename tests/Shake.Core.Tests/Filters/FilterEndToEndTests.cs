using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Filters;
using Shake.Core.Tests.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Filters;

/// <summary>Filters through the engine, between real servers: full sync, then the replication stream.</summary>
public sealed class FilterEndToEndTests(ITestOutputHelper output)
{
    private static EngineOptions Options(RedisServer source, RedisServer target, FilterOptions filter) => new()
    {
        Source = Redis.Options(source),
        Target = Redis.Options(target),
        Directory = Path.Combine(Path.GetTempPath(), "shake-filter-test", Guid.NewGuid().ToString("N")),
        LogInterval = TimeSpan.FromSeconds(1),
        Filter = filter,
    };

    private static async Task<SortedSet<string>> KeysAsync(RedisServer server, int db)
    {
        await using var c = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(server, db));
        var reply = await c.ExecuteAsync("KEYS", "*");
        return new SortedSet<string>(reply.AsStrings().Select(k => k!), StringComparer.Ordinal);
    }

    [Fact]
    public async Task ListFilterKeepsExactlyTheAllowedKeysThroughFullSyncAndStream()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [
            ["SET", "user:1", "a"], ["SET", "user:2", "b"], ["SET", "user:3:tmp", "c"], ["SET", "order:1", "d"],
            ["HSET", "user:h", "f", "v"], ["RPUSH", "user:l", "1", "2"], ["ZADD", "user:z", "1", "m"],
        ]);
        await Redis.PipelineAsync(source, [["SET", "user:db1", "x"], ["SET", "other:db1", "y"]], db: 1);
        await Redis.PipelineAsync(source, [["SET", "user:db2", "x"]], db: 2);
        var filter = new FilterOptions
        {
            AllowKeyPrefix = ["user:"],
            BlockKeySuffix = [":tmp"],
            BlockDb = [2],
            BlockCommandGroup = ["HASH"],
        };
        await using var run = new EngineRun(Options(source, target, filter), new TestLogger(output));
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["user:1", "user:2", "user:l", "user:z"], await KeysAsync(target, 0));
        Assert.Equal(["user:db1"], await KeysAsync(target, 1));
        Assert.Empty(await KeysAsync(target, 2));

        await Redis.PipelineAsync(source, [
            ["SET", "user:4", "a"], ["SET", "order:2", "b"], ["SET", "user:5:tmp", "c"], ["HSET", "user:h2", "f", "v"],
            ["MSET", "user:m1", "a", "order:m2", "b"], ["MSET", "user:m3", "a", "user:m4", "b"], ["DEL", "user:1"],
            ["MULTI"], ["INCR", "user:counter"], ["INCR", "order:counter"], ["EXEC"],
            ["EVAL", "redis.call('SET', KEYS[1], ARGV[1])", "1", "user:eval", "v"],
            ["EVAL", "redis.call('SET', KEYS[1], ARGV[1])", "1", "order:eval", "v"],
        ]);
        await Redis.PipelineAsync(source, [["SET", "user:db2b", "x"]], db: 2);
        await Redis.PipelineAsync(source, [["SET", "user:db1b", "x"], ["SET", "other:db1b", "x"]], db: 1);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), offset);
        Assert.Equal(["user:2", "user:4", "user:counter", "user:eval", "user:l", "user:m3", "user:m4", "user:z"], await KeysAsync(target, 0));
        Assert.Equal(["user:db1", "user:db1b"], await KeysAsync(target, 1));
        Assert.Empty(await KeysAsync(target, 2));
        var statistics = run.Engine.Filters!.Statistics;
        output.WriteLine(statistics.Describe());
        Assert.Equal(1, statistics.Dropped(FilterReason.MixedKeys));
        Assert.True(statistics.Dropped(FilterReason.CommandGroup) >= 2);
        Assert.True(statistics.Dropped(FilterReason.Db) >= 2);
        await run.StopAsync();
    }

    [Fact]
    public async Task LuaScriptSwapsDatabasesAndDropsTheRest()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [["SET", "a", "1"], ["SET", "skip:a", "1"]]);
        await Redis.PipelineAsync(source, [["SET", "b", "1"]], db: 1);
        await Redis.PipelineAsync(source, [["SET", "c", "1"]], db: 3);
        var script = Path.Combine(Path.GetTempPath(), $"shake-swap-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, """
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if keys[1] ~= nil and string.sub(keys[1], 1, 5) == "skip:" then return 1, db_id end
                if db_id == 0 then return 0, 1 end
                if db_id == 1 then return 0, 0 end
                return 1, db_id
            end
            """);
        try
        {
            await using var run = new EngineRun(Options(source, target, new FilterOptions { LuaScriptPath = script }), new TestLogger(output));
            await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
            await Redis.PipelineAsync(source, [["SET", "a2", "1"], ["SET", "skip:b", "1"]]);
            await Redis.PipelineAsync(source, [["SET", "b2", "1"]], db: 1);
            await Redis.PipelineAsync(source, [["SET", "c2", "1"]], db: 3);
            var offset = Redis.Info(source, "replication", "master_repl_offset");
            await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), offset);
            Assert.Equal(["b", "b2"], await KeysAsync(target, 0));
            Assert.Equal(["a", "a2"], await KeysAsync(target, 1));
            Assert.Empty(await KeysAsync(target, 3));
            await run.StopAsync();
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task LuaStopEndsTheSyncWithTheScriptsReason()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [["SET", "a", "1"]]);
        var script = Path.Combine(Path.GetTempPath(), $"shake-stop-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, """
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if cmd_name == "FLUSHALL" then return 2, db_id end
                return 0, db_id
            end
            """);
        try
        {
            await using var run = new EngineRun(Options(source, target, new FilterOptions { LuaScriptPath = script }), new TestLogger(output));
            await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
            await Redis.PipelineAsync(source, [["FLUSHALL"]]);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("stopped the sync at FLUSHALL", error.ToString());
            Assert.Equal("1", (await Redis.CallAsync(target, "GET", "a")).AsString());
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public async Task ABlockedDatabaseNeedNotExistOnTheTarget()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync(["--databases", "2"]);
        await Redis.PipelineAsync(source, [["SET", "kept", "1"]]);
        await Redis.PipelineAsync(source, [["SET", "far", "1"]], db: 5);
        await using var run = new EngineRun(Options(source, target, new FilterOptions { BlockDb = [5] }), new TestLogger(output));
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
        await Redis.PipelineAsync(source, [["SET", "far2", "1"]], db: 5);
        await Redis.PipelineAsync(source, [["SET", "kept2", "1"]]);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), offset);
        Assert.Equal(["kept", "kept2"], await KeysAsync(target, 0));
        Assert.Equal(2, run.Engine.Filters!.Statistics.Dropped(FilterReason.Db));
        await run.StopAsync();
    }
}
