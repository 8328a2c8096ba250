using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

public sealed class SyncSmokeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Full_sync_then_stream_reaches_the_target(bool diskless)
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", diskless ? "yes" : "no", "--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, Enumerable.Range(0, 1000).Select(i => new[] { "SET", $"k{i}", $"v{i}" }));
        await Redis.PipelineAsync(source, [["RPUSH", "list", "a", "b", "c"], ["SET", "db1key", "x"]], db: 1);
        var dir = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N"));
        var options = new EngineOptions { Source = Redis.Options(source), Target = Redis.Options(target), Directory = dir, LogInterval = TimeSpan.FromSeconds(1) };
        await using var run = new EngineRun(options, new TestLogger(output));
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1000, await Redis.DbSizeAsync(target, 0));
        Assert.Equal(2, await Redis.DbSizeAsync(target, 1));
        await Redis.PipelineAsync(source, Enumerable.Range(0, 500).Select(i => new[] { "SET", $"n{i}", $"v{i}" }), db: 2);
        await Redis.PipelineAsync(source, [["MULTI"], ["INCR", "counter"], ["INCR", "counter"], ["EXEC"]]);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), offset);
        Assert.Equal(500, await Redis.DbSizeAsync(target, 2));
        Assert.Equal("2", (await Redis.CallAsync(target, "GET", "counter")).AsString());
        // Every type and encoding, key by key (type, value, TTL within 1 s), while the stream runs.
        await TestDataWriter.PopulateAsync(source.Address, 30, [0, 4]);
        offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), offset);
        await RedisDataComparer.AssertEqualAsync(source.Address, target.Address, TimeSpan.FromSeconds(1), []);
        var summary = await run.StopAsync();
        output.WriteLine(summary.ToString());
        Assert.Equal(1002, summary.Final.KeysApplied);
    }
}
