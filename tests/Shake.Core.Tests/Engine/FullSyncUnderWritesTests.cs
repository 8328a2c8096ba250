using System.Diagnostics;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>
/// The acceptance test: a source with over 200k keys of every type and encoding, TTLs and several dbs is
/// synced while a writer keeps modifying, deleting and expiring keys; once the writer stops and the engine reports
/// zero lag, source and target are equal key by key.
/// </summary>
public sealed class FullSyncUnderWritesTests(ITestOutputHelper output)
{
    private static readonly int[] Dbs = [0, 3, 7];

    private static async Task<RedisServer> StartSourceAsync(bool diskless)
    {
        var source = await RedisServer.StartAsync(["--repl-diskless-sync", diskless ? "yes" : "no", "--repl-diskless-sync-delay", "0"]);
        var watch = Stopwatch.StartNew();
        await TestDataWriter.PopulateAsync(source.Address, 250, Dbs);
        // The bulk of the keys: plain strings, fast to create.
        await source.CliAsync("DEBUG", "POPULATE", "200000", "key", "24");
        return source;
    }

    private EngineOptions Options(RedisServer source, RedisServer target) => new()
    {
        Source = Redis.Options(source),
        Target = Redis.Options(target),
        Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
        LogInterval = TimeSpan.FromSeconds(1),
        TryDiskless = true,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Source_and_target_are_equal_after_a_full_sync_under_writes(bool diskless)
    {
        await using var source = await StartSourceAsync(diskless);
        await using var target = await RedisServer.StartAsync();
        var logger = new TestLogger(output);
        await using var churn = new SourceChurn(source, Dbs, seed: diskless ? 2 : 1);
        await using var run = new EngineRun(Options(source, target), logger);
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(60), "the incremental phase");
        await Task.Delay(1000);
        await churn.StopAsync();
        await Task.Delay(SourceChurn.ShortTtl);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(60), offset);
        var snapshot = run.Snapshot;
        output.WriteLine($"churn commands: {churn.Commands}; {snapshot}");
        Assert.True(snapshot.KeysApplied > 200_000, $"keys applied {snapshot.KeysApplied}");
        Assert.Equal(0, snapshot.KeysFailed);
        Assert.Equal(0, snapshot.CommandsFailed);
        Assert.Contains(logger.Lines, l => l.Message.StartsWith(diskless ? "127.0.0.1" : "127.0.0.1") && l.Message.Contains(diskless ? "diskless" : "from disk"));
        await DataAssert.EqualAfterPurgeAsync(source, target, run);
        await run.StopAsync();
    }

    [Fact]
    public async Task A_restarted_engine_reaches_equality_again()
    {
        await using var source = await StartSourceAsync(diskless: true);
        await using var target = await RedisServer.StartAsync();
        var logger = new TestLogger(output);
        await using var churn = new SourceChurn(source, Dbs, seed: 3);
        var first = new EngineRun(Options(source, target), logger);
        await first.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental && s.CommandsForwarded > 100, TimeSpan.FromSeconds(60), "the stream");
        // Stop mid-stream while the source keeps changing.
        await first.StopAsync();
        await first.DisposeAsync();
        await Task.Delay(500);
        // A second run doing a full resync (continuing with PSYNC is covered by ResumeTests). Keys deleted on the source
        // meanwhile must not survive on the target, so it starts empty.
        await using var second = new EngineRun(Options(source, target) with { EmptyDbBeforeSync = true, ResumeAfterCleanStop = false }, logger);
        await second.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(60), "the second run's stream");
        await churn.StopAsync();
        await Task.Delay(SourceChurn.ShortTtl);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await second.WaitForZeroLagAsync(TimeSpan.FromSeconds(60), offset);
        await DataAssert.EqualAfterPurgeAsync(source, target, second);
    }
}
