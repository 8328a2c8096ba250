using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>Restore mode with the shared RDB corpus against a real Redis 7.0 target.</summary>
public sealed class CorpusRestoreTests(ITestOutputHelper output)
{
    private async Task<(EngineSummary Summary, TestLogger Logger, long Keys)> RestoreAsync(string file)
    {
        await using var target = await RedisServer.StartAsync();
        var logger = new TestLogger(output);
        var options = new EngineOptions { Mode = EngineMode.Restore, RdbFilePath = SharedAssets.PathOf("corpus", file)!, Target = Redis.Options(target), Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")) };
        var summary = await new SyncEngine(options, logger).RunAsync(CancellationToken.None);
        long keys = 0;
        for (var db = 0; db < 16; db++) keys += await Redis.DbSizeAsync(target, db);
        var scripts = Redis.Info(target, "memory", "number_of_cached_scripts");
        return (summary, logger, keys + scripts * 1_000_000);
    }

    // Key lines start with the db number; function libraries are listed as "-\tfunction\t...".
    private static int CanonKeys(string file) => File.ReadAllLines(SharedAssets.PathOf("corpus", file)!).Count(l => l.Length > 0 && char.IsAsciiDigit(l[0]));

    private static int CanonFunctions(string file) => File.ReadAllLines(SharedAssets.PathOf("corpus", file)!).Count(l => l.StartsWith("-\tfunction\t", StringComparison.Ordinal));

    [SharedFact]
    public async Task A_redis_70_snapshot_is_restored_completely()
    {
        var (summary, _, keys) = await RestoreAsync("generated/redis-7.0.15.rdb");
        var expected = CanonKeys("generated/redis-7.0.15.canon.tsv");
        Assert.Equal(expected, summary.Final.KeysApplied);
        Assert.Equal(expected, keys);
        Assert.Equal(0, summary.Final.KeysFailed);
        Assert.Equal(CanonFunctions("generated/redis-7.0.15.canon.tsv"), summary.Final.FunctionsLoaded);
    }

    [SharedFact]
    public async Task Old_lua_script_aux_fields_are_loaded_with_script_load()
    {
        var (summary, _, keys) = await RestoreAsync("redis-tests/scriptbackup.rdb");
        Assert.Equal(1, summary.Final.ScriptsLoaded);
        Assert.Equal(1_000_000, keys); // one cached script, no keys
    }

    [SharedFact]
    public async Task Keys_of_a_newer_snapshot_than_the_target_reads_are_each_reported_by_name()
    {
        var (summary, logger, keys) = await RestoreAsync("generated/redis-7.4.1.rdb");
        var expected = CanonKeys("generated/redis-7.4.1.canon.tsv");
        Assert.Equal(0, keys);
        Assert.Equal(expected, summary.Final.KeysFailed + summary.Final.KeysSkippedExpired);
        Assert.Equal(summary.Final.KeysFailed, logger.Lines.Count(l => l.Message.Contains("cannot be restored: its RDB version 12 is newer than the target's 10")));
    }
}
