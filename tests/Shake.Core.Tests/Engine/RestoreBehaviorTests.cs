using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Writers;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>rdb_restore_command_behavior against a target that already holds one of the source's keys.</summary>
public sealed class RestoreBehaviorTests(ITestOutputHelper output)
{
    private async Task<(RedisServer Source, RedisServer Target)> StartAsync()
    {
        var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, [["SET", "a", "src"], ["SET", "b", "src"], ["RPUSH", "c", "1", "2"]]);
        await Redis.PipelineAsync(target, [["SET", "b", "tgt"], ["SET", "only-target", "t"]]);
        return (source, target);
    }

    private EngineOptions Options(RedisServer source, RedisServer target, RestoreBehavior behavior) => new()
    {
        Source = Redis.Options(source),
        Target = Redis.Options(target),
        RestoreBehavior = behavior,
        SyncAof = false,
        Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
    };

    [Fact]
    public async Task Panic_stops_at_the_first_existing_key_and_names_it()
    {
        var (source, target) = await StartAsync();
        await using var _ = source;
        await using var __ = target;
        var engine = new SyncEngine(Options(source, target, RestoreBehavior.Panic), new TestLogger(output));
        var error = await Assert.ThrowsAsync<TargetKeyExistsException>(() => engine.RunAsync(CancellationToken.None));
        Assert.Contains("'b'", error.Message);
        Assert.Equal("tgt", (await Redis.CallAsync(target, "GET", "b")).AsString());
    }

    [Fact]
    public async Task Rewrite_replaces_existing_keys()
    {
        var (source, target) = await StartAsync();
        await using var _ = source;
        await using var __ = target;
        var summary = await new SyncEngine(Options(source, target, RestoreBehavior.Rewrite), new TestLogger(output)).RunAsync(CancellationToken.None);
        Assert.Equal("src", (await Redis.CallAsync(target, "GET", "b")).AsString());
        Assert.Equal(3, summary.Final.KeysApplied);
        Assert.Equal(3, summary.Final.KeysReplaced);
        Assert.Equal(4, await Redis.DbSizeAsync(target, 0));
    }

    [Fact]
    public async Task Skip_keeps_the_targets_keys_and_counts_them()
    {
        var (source, target) = await StartAsync();
        await using var _ = source;
        await using var __ = target;
        var summary = await new SyncEngine(Options(source, target, RestoreBehavior.Skip), new TestLogger(output)).RunAsync(CancellationToken.None);
        Assert.Equal("tgt", (await Redis.CallAsync(target, "GET", "b")).AsString());
        Assert.Equal("src", (await Redis.CallAsync(target, "GET", "a")).AsString());
        Assert.Equal(2, summary.Final.KeysApplied);
        Assert.Equal(1, summary.Final.KeysSkippedExisting);
        Assert.Equal(0, summary.Final.KeysFailed);
    }

    [Fact]
    public async Task Empty_db_before_sync_flushes_the_target_first()
    {
        var (source, target) = await StartAsync();
        await using var _ = source;
        await using var __ = target;
        var options = Options(source, target, RestoreBehavior.Panic) with { EmptyDbBeforeSync = true };
        var summary = await new SyncEngine(options, new TestLogger(output)).RunAsync(CancellationToken.None);
        Assert.Equal(3, summary.Final.KeysApplied);
        Assert.Equal(3, await Redis.DbSizeAsync(target, 0));
        Assert.Equal("src", (await Redis.CallAsync(target, "GET", "b")).AsString());
    }
}
