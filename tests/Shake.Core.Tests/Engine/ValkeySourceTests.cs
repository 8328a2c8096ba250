using Shake.Core.Conversion;
using Shake.Core.Engine;
using Shake.Core.Replication;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>
/// A Valkey primary as the source and Redis 7.0 as the target. Valkey answers <c>REPLCONF version</c> (Redis refuses
/// it, which the other sync tests cover), and its snapshot is RDB 11, newer than the target's 10, so every key goes
/// through the conversion to plain commands.
/// </summary>
public sealed class ValkeySourceTests(ITestOutputHelper output)
{
    [ValkeyFact]
    public async Task A_Valkey_primary_is_copied_into_Redis_7_0_key_by_key()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"], serverPath: RedisBinaries.ValkeyServer);
        await using var target = await RedisServer.StartAsync();
        var version = (await Redis.CallAsync(source, "INFO", "server")).AsString()!;
        output.WriteLine(version.Split("\r\n").FirstOrDefault(l => l.StartsWith("valkey_version:", StringComparison.Ordinal)) ?? "no valkey_version in INFO");
        Assert.Contains("valkey_version:", version, StringComparison.Ordinal);
        // The option is known to this primary: the handshake announces Shake's version and must get +OK.
        Assert.Equal("OK", (await Redis.CallAsync(source, "REPLCONF", "version", ReplicationClientOptions.DefaultAnnouncedVersion)).AsString());

        var keys = await TestDataWriter.PopulateAsync(source.Address, 20, [0, 3]);
        var dir = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N"));
        var logger = new TestLogger(output);
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
        var options = new EngineOptions { Source = Redis.Options(source), Target = Redis.Options(target), Directory = dir, LogInterval = TimeSpan.FromSeconds(1), Converter = converter };
        await using var run = new EngineRun(options, logger);
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(keys, run.Snapshot.KeysConverted);
        Assert.Equal(0, run.Snapshot.KeysFailed);

        // The command stream follows: more writes of every kind, then equality key by key.
        await TestDataWriter.PopulateAsync(source.Address, 10, [5]);
        await Redis.PipelineAsync(source, [["MULTI"], ["INCR", "counter"], ["INCR", "counter"], ["EXEC"]]);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(60), offset);
        await RedisDataComparer.AssertEqualAsync(source.Address, target.Address, TimeSpan.FromSeconds(1), []);
        var summary = await run.StopAsync();
        output.WriteLine(summary.ToString());
        Assert.Equal(0, summary.Final.CommandsFailed);
    }

    [ValkeyFact]
    public async Task Keys_converted_from_a_Valkey_snapshot_count_as_applied_in_the_log_the_summary_and_the_status()
    {
        // The reported case: every key of a Valkey 8.0 snapshot is converted for a Redis 7.0 target, and the log said
        // "full sync done: 0 keys applied" although every key was copied.
        const int keys = 51_200;
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"], serverPath: RedisBinaries.ValkeyServer);
        await using var target = await RedisServer.StartAsync();
        await Redis.CallAsync(source, "DEBUG", "POPULATE", keys.ToString(System.Globalization.CultureInfo.InvariantCulture), "key", "16");
        var dir = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N"));
        var logger = new TestLogger(output);
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
        var options = new EngineOptions { Source = Redis.Options(source), Target = Redis.Options(target), Directory = dir, SyncAof = false, Converter = converter };
        var engine = new SyncEngine(options, logger);
        var summary = await engine.RunAsync(CancellationToken.None);

        Assert.Equal(keys, (await Redis.CallAsync(target, "DBSIZE")).Integer);
        Assert.Equal(keys, summary.Final.KeysConverted);
        Assert.Equal(keys, summary.Final.KeysWritten);
        Assert.Contains($"keys applied={keys} (restored or set 0, converted {keys}, ", summary.ToString());
        Assert.Contains(logger.Lines, l => l.Message.StartsWith($"full sync done: {keys} keys applied (0 restored or set, {keys} converted to commands)", StringComparison.Ordinal));
        var status = engine.Snapshot();
        Assert.Equal(keys, status.Keys.Applied);
        Assert.Equal(status.Keys.Applied, status.Keys.Restored + status.Keys.Converted);
        Assert.Equal(0, status.Keys.Failed);
    }
}
