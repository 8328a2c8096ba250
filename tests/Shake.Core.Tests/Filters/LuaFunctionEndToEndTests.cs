using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Filters;
using Shake.Core.Tests.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Filters;

/// <summary>The v4 <c>[filter] function</c> through the engine, between real servers: full sync, then the stream.</summary>
public sealed class LuaFunctionEndToEndTests(ITestOutputHelper output)
{
    private static EngineOptions Options(RedisServer source, RedisServer target, string function, RestoreBehavior behavior = RestoreBehavior.Panic) => new()
    {
        Source = Redis.Options(source),
        Target = Redis.Options(target),
        Directory = Path.Combine(Path.GetTempPath(), "shake-function-test", Guid.NewGuid().ToString("N")),
        LogInterval = TimeSpan.FromSeconds(1),
        RestoreBehavior = behavior,
        Filter = new FilterOptions { Function = function },
    };

    private static async Task<SortedSet<string>> KeysAsync(RedisServer server, int db)
    {
        await using var c = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(server, db));
        var reply = await c.ExecuteAsync("KEYS", "*");
        return new SortedSet<string>(reply.AsStrings().Select(k => k!), StringComparer.Ordinal);
    }

    private static async Task<string[]> CallAsync(RedisServer server, int db, params string[] command)
    {
        await using var c = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(server, db));
        var reply = await c.ExecuteAsync(command);
        if (reply.Kind == Shake.Resp.Protocol.RespKind.Integer) return [reply.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        return reply.Kind == Shake.Resp.Protocol.RespKind.Array ? [.. reply.Items.Select(i => i.AsString()!).Order(StringComparer.Ordinal)] : [reply.AsString()!];
    }

    private const string PrefixRewrite = """
        for _, index in ipairs(KEY_INDEXES) do
          local key = ARGV[index]
          if string.sub(key, 1, 4) == "old:" then
            ARGV[index] = "new:" .. string.sub(key, 5)
          end
        end
        shake.call(DB, ARGV)
        """;

    [Fact]
    public async Task APrefixRewriteRenamesSnapshotAndStreamKeysKeepingValuesAndTtls()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [
            ["SET", "old:s", "v"], ["HSET", "old:h", "f1", "1", "f2", "2"], ["PEXPIRE", "old:h", "600000"],
            ["RPUSH", "old:l", "a", "b", "c"], ["ZADD", "old:z", "1.5", "m"], ["SADD", "old:set", "x", "y"],
            ["XADD", "old:x", "1-1", "f", "v"], ["SET", "other", "o"],
        ]);
        await using var run = new EngineRun(Options(source, target, PrefixRewrite), new TestLogger(output));
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["new:h", "new:l", "new:s", "new:set", "new:x", "new:z", "other"], await KeysAsync(target, 0));
        Assert.Equal(["1", "2", "f1", "f2"], await CallAsync(target, 0, "HGETALL", "new:h"));
        var ttl = long.Parse((await CallAsync(target, 0, "PTTL", "new:h"))[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 500_000, 600_000);
        Assert.Equal(["a", "b", "c"], await CallAsync(target, 0, "LRANGE", "new:l", "0", "-1"));
        Assert.Equal(["1"], await CallAsync(target, 0, "XLEN", "new:x"));
        Assert.Equal(["1.5", "m"], await CallAsync(target, 0, "ZRANGE", "new:z", "0", "-1", "WITHSCORES"));

        await Redis.PipelineAsync(source, [
            ["SET", "old:s2", "v"], ["MSET", "old:m1", "1", "old:m2", "2"], ["HSET", "old:h", "f3", "3"], ["DEL", "old:s"],
            ["MULTI"], ["INCR", "old:counter"], ["EXEC"],
        ]);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), offset);
        Assert.Equal(["new:counter", "new:h", "new:l", "new:m1", "new:m2", "new:s2", "new:set", "new:x", "new:z", "other"], await KeysAsync(target, 0));
        Assert.Equal(["1", "2", "3", "f1", "f2", "f3"], await CallAsync(target, 0, "HGETALL", "new:h"));
        await run.StopAsync();
    }

    [Fact]
    public async Task DatabasesAreMappedCommandsDroppedAndOneCommandCanBecomeTwo()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [["SET", "a", "1"], ["SET", "tmp:a", "1"]]);
        await Redis.PipelineAsync(source, [["SET", "b", "1"]], db: 1);
        await Redis.PipelineAsync(source, [["SET", "c", "1"]], db: 2);
        const string function = """
            if DB == 2 or string.sub(KEYS[1] or "", 1, 4) == "tmp:" then return end
            local db = DB
            if DB == 1 then db = 3 end
            if CMD == "MSET" then
              for i = 2, #ARGV, 2 do shake.call(db, {"SET", ARGV[i], ARGV[i + 1]}) end
              return
            end
            shake.call(db, ARGV)
            if CMD == "SET" then shake.call(db, {"SADD", "index", KEYS[1]}) end
            """;
        await using var run = new EngineRun(Options(source, target, function), new TestLogger(output));
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["a", "index"], await KeysAsync(target, 0));
        Assert.Equal(["b", "index"], await KeysAsync(target, 3));
        Assert.Empty(await KeysAsync(target, 1));
        Assert.Empty(await KeysAsync(target, 2));

        await Redis.PipelineAsync(source, [["MSET", "x", "1", "y", "2"], ["SET", "tmp:b", "1"], ["SET", "z", "3"]]);
        await Redis.PipelineAsync(source, [["SET", "b2", "1"]], db: 1);
        await Redis.PipelineAsync(source, [["SET", "c2", "1"]], db: 2);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), offset);
        Assert.Equal(["a", "index", "x", "y", "z"], await KeysAsync(target, 0));
        Assert.Equal(["a", "z"], await CallAsync(target, 0, "SMEMBERS", "index"));
        Assert.Equal(["b", "b2", "index"], await KeysAsync(target, 3));
        Assert.Empty(await KeysAsync(target, 2));
        var statistics = run.Engine.Filters!.Statistics;
        output.WriteLine(statistics.Describe());
        Assert.True(statistics.Dropped(FilterReason.Function) >= 2);
        Assert.True(run.Snapshot.Lag == 0);
        await run.StopAsync();
    }

    [Fact]
    public async Task AnErrorInTheScriptStopsTheSyncNamingTheLine()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [["SET", "a", "1"]]);
        const string function = "shake.call(DB, ARGV)\nif CMD == \"FLUSHALL\" then\n  local t = nil\n  t.boom = 1\nend\n";
        await using var run = new EngineRun(Options(source, target, function), new TestLogger(output));
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
        await Redis.PipelineAsync(source, [["FLUSHALL"]]);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("[filter] function:4:", error.Message);
        Assert.Contains("FLUSHALL", error.Message);
    }
}
