using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>A cleanly stopped sync continues with PSYNC on the next run; anything else falls back to a full sync.</summary>
public sealed class ResumeTests(ITestOutputHelper output)
{
    private static EngineOptions Options(RedisServer source, RedisServer target, string dir) => new()
    {
        Source = Redis.Options(source),
        Target = Redis.Options(target),
        Directory = dir,
        TryDiskless = true,
    };

    [Fact]
    public async Task A_cleanly_stopped_run_is_continued_without_a_full_sync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N"));
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, Enumerable.Range(0, 500).Select(i => new[] { "SET", $"k{i}", "v" }));
        var logger = new TestLogger(output);
        await using (var first = new EngineRun(Options(source, target, dir), logger))
        {
            await first.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
            await Redis.PipelineAsync(source, [["SELECT", "3"], ["SET", "in-db3", "1"]]);
            await first.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), Redis.Info(source, "replication", "master_repl_offset"));
            await first.StopAsync();
        }
        Assert.True(File.Exists(Path.Combine(dir, ResumePoint.FileName)));

        // While Shake is stopped the source goes on, still in db 3 on its replication stream (no new SELECT is sent).
        await Redis.PipelineAsync(source, [["SET", "while-stopped", "2"], ["DEL", "in-db3"], ["INCR", "n"]], db: 3);
        await Redis.PipelineAsync(source, [["DEL", "k7"]]);
        await using var second = new EngineRun(Options(source, target, dir), logger);
        await second.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), Redis.Info(source, "replication", "master_repl_offset"));
        Assert.Contains(logger.Lines, l => l.Message.Contains("answered PSYNC: CONTINUE"));
        Assert.Equal(0, second.Snapshot.KeysApplied);
        Assert.False(File.Exists(Path.Combine(dir, ResumePoint.FileName)), "a running engine leaves no resume point behind");
        await DataAssert.EqualAsync(source, target);
    }

    [Fact]
    public async Task Without_a_clean_stop_or_with_another_target_the_next_run_does_a_full_sync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N"));
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await using var other = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [["SET", "a", "1"]]);
        var logger = new TestLogger(output);
        await using (var first = new EngineRun(Options(source, target, dir), logger))
        {
            await first.WaitForZeroLagAsync(TimeSpan.FromSeconds(30));
            await first.StopAsync();
        }
        await using var second = new EngineRun(Options(source, other, dir), logger);
        await second.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        Assert.Equal(1, second.Snapshot.KeysApplied);
        Assert.Contains(logger.Lines, l => l.Message.Contains("ignoring the resume point"));
    }
}
