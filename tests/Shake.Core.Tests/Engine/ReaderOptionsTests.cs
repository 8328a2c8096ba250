using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>The v4 sync_reader switches: try_diskless, sync_rdb, sync_aof.</summary>
public sealed class ReaderOptionsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Without_try_diskless_a_diskless_source_sends_from_disk()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [["SET", "k", "v"]]);
        var logger = new TestLogger(output);
        var options = new EngineOptions { Source = Redis.Options(source), Target = Redis.Options(target), TryDiskless = false, SyncAof = false, Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")) };
        var summary = await new SyncEngine(options, logger).RunAsync(CancellationToken.None);
        Assert.Equal(1, summary.Final.KeysApplied);
        Assert.Contains(logger.Lines, l => l.Message.Contains("sends the RDB from disk"));
    }

    [Fact]
    public async Task Sync_rdb_false_reads_the_snapshot_without_applying_it_and_then_streams()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, Enumerable.Range(0, 100).Select(i => new[] { "SET", $"old{i}", "v" }));
        var options = new EngineOptions { Source = Redis.Options(source), Target = Redis.Options(target), SyncRdb = false, Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")) };
        await using var run = new EngineRun(options, new TestLogger(output));
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        await Redis.CallAsync(source, "SET", "new", "1");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), Redis.Info(source, "replication", "master_repl_offset"));
        Assert.Equal(1, await Redis.DbSizeAsync(target, 0));
        Assert.Equal(0, run.Snapshot.KeysApplied);
        Assert.True(run.Snapshot.RdbBytesReceived > 0);
    }
}
