using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

public sealed class StartupChecksTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_source_db_the_target_does_not_have_is_an_error_at_start_up_unless_mapped()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync(["--databases", "4"]);
        await Redis.PipelineAsync(source, [["SET", "k", "v"]], db: 7);
        var options = new EngineOptions { Source = Redis.Options(source), Target = Redis.Options(target), Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")) };
        var error = await Assert.ThrowsAsync<SourceDatabaseUnmappedException>(() => new SyncEngine(options, new TestLogger(output)).RunAsync(CancellationToken.None));
        Assert.Contains("db 7", error.Message);
        Assert.Equal(7, error.Database);
        Assert.Contains("only 4 databases", error.Message);
        Assert.Equal(0, Redis.Info(source, "replication", "connected_slaves"));

        // Mapped to an existing db, it syncs.
        var mapped = options with { DatabaseMap = new Dictionary<int, int> { [7] = 1 }, SyncAof = false };
        var summary = await new SyncEngine(mapped, new TestLogger(output)).RunAsync(CancellationToken.None);
        Assert.Equal(1, summary.Final.KeysApplied);
        Assert.Equal(1, await Redis.DbSizeAsync(target, 1));
    }

    [Fact]
    public async Task Keys_restore_cannot_serve_and_no_converter_handles_are_reported_by_name_never_dropped_silently()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [["SET", "old-target-key", "v"], ["RPUSH", "another", "a"]]);
        (await Redis.CallAsync(source, "SAVE")).ThrowIfError();
        var logger = new TestLogger(output);
        // Pretend the target only understands RDB 9 (Redis 6): the Redis 7 payloads (RDB 10) cannot be restored.
        var options = new EngineOptions { Mode = EngineMode.Restore, RdbFilePath = Path.Combine(source.Directory, "dump.rdb"), Target = Redis.Options(target), TargetRdbVersion = 9, Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")) };
        var summary = await new SyncEngine(options, logger).RunAsync(CancellationToken.None);
        Assert.Equal(2, summary.Final.KeysFailed);
        Assert.Equal(0, summary.Final.KeysApplied);
        Assert.Contains(logger.Lines, l => l.Message.Contains("'old-target-key'") && l.Message.Contains("RDB version 10 is newer than the target's 9"));
        Assert.Contains("errors=2", summary.ToString());
    }
}
