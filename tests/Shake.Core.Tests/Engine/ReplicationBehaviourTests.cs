using Shake.Core.Engine;
using Shake.Core.Spool;
using Shake.Resp.Connections;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>The replica side of the protocol against real servers.</summary>
public sealed class ReplicationBehaviourTests(ITestOutputHelper output)
{
    private static EngineOptions Options(RedisServer source, RedisServer target) => new()
    {
        Source = Redis.Options(source),
        Target = Redis.Options(target),
        Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
        LogInterval = TimeSpan.FromSeconds(1),
        TryDiskless = true,
    };

    [Fact]
    public async Task Wait_on_the_source_is_satisfied_because_acks_count_exactly_the_applied_bytes()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await using var run = new EngineRun(Options(source, target), new TestLogger(output));
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        await using var c = await RedisConnection.ConnectAsync(Redis.Options(source));
        for (var i = 0; i < 5; i++)
        {
            (await c.ExecuteAsync("SET", $"w{i}", "v")).ThrowIfError();
            // WAIT makes the source send REPLCONF GETACK; it returns 1 only once our ACK reaches this write's offset.
            var acked = (await c.ExecuteAsync("WAIT", "1", "5000")).AsInt64();
            Assert.Equal(1, acked);
            Assert.Equal("v", (await Redis.CallAsync(target, "GET", $"w{i}")).AsString());
        }
        // The source's view of our offset catches up with its own (a heartbeat PING may land in between: retry briefly).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var info = (await c.ExecuteAsync("INFO", "replication")).AsString()!;
            var masterOffset = Redis.Info(source, "replication", "master_repl_offset");
            if (info.Contains($"offset={masterOffset},")) break;
            Assert.True(DateTime.UtcNow < deadline, $"the source never saw an ACK of its offset {masterOffset}: {info}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Psync_refused_with_nomasterlink_is_retried_until_the_source_can_serve()
    {
        var deadPort = FreePort.Next();
        await using var source = await RedisServer.StartAsync(["--replicaof", "127.0.0.1", deadPort.ToString()]);
        await using var target = await RedisServer.StartAsync();
        var logger = new TestLogger(output);
        await using var run = new EngineRun(Options(source, target), logger);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!logger.Lines.Any(l => l.Message.Contains("NOMASTERLINK")))
        {
            Assert.True(DateTime.UtcNow < deadline, "no NOMASTERLINK retry was logged");
            await Task.Delay(50);
        }
        await Redis.CallAsync(source, "REPLICAOF", "NO", "ONE");
        await Redis.CallAsync(source, "SET", "after", "1");
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream after the retry");
        await Redis.CallAsync(source, "SET", "streamed", "2");
        await run.WaitUntilAsync(_ => Redis.CallAsync(target, "GET", "streamed").GetAwaiter().GetResult().AsString() == "2", TimeSpan.FromSeconds(30), "a streamed write");
        Assert.Equal("1", (await Redis.CallAsync(target, "GET", "after")).AsString());
    }

    [Fact]
    public async Task Prefer_replica_replicates_from_the_sources_replica()
    {
        await using var master = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var replica = await RedisServer.StartAsync(["--replicaof", "127.0.0.1", master.Port.ToString(), "--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(await Redis.CallAsync(master, "INFO", "replication")).AsString()!.Contains("state=online"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the replica did not come online");
            await Task.Delay(50);
        }
        await Redis.CallAsync(master, "SET", "k", "v");
        var logger = new TestLogger(output);
        await using var run = new EngineRun(Options(master, target) with { PreferReplica = true }, logger);
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        Assert.Contains(logger.Lines, l => l.Message.Contains($"replicating from 127.0.0.1:{replica.Port}"));
        Assert.Equal(1, Redis.Info(replica, "replication", "connected_slaves"));
        Assert.Equal(1, Redis.Info(master, "replication", "connected_slaves"));
        await Redis.CallAsync(master, "SET", "later", "2");
        await run.WaitUntilAsync(_ => Redis.CallAsync(target, "GET", "later").GetAwaiter().GetResult().AsString() == "2", TimeSpan.FromSeconds(30), "the write through the replica");
    }

    [Fact]
    public async Task The_rdb_is_applied_while_it_is_still_arriving()
    {
        // A slow snapshot (1 ms per key) sent diskless: keys must reach the target long before the transfer ends.
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--rdb-key-save-delay", "1000"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "4000", "key", "10");
        await using var run = new EngineRun(Options(source, target), new TestLogger(output));
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.FullSync && s.KeysApplied > 500, TimeSpan.FromSeconds(30), "keys applied during the transfer");
        Assert.True(await Redis.DbSizeAsync(target, 0) > 0);
        Assert.Equal(EnginePhase.FullSync, run.Snapshot.Phase);
        await Redis.CallAsync(source, "CONFIG", "SET", "rdb-key-save-delay", "0");
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the end of the full sync");
        Assert.Equal(4000, await Redis.DbSizeAsync(target, 0));
    }

    [Fact]
    public async Task Keep_alive_newlines_while_the_source_prepares_a_disk_snapshot_are_skipped()
    {
        // A disk snapshot that takes about 2 s to write: the source sends newlines meanwhile.
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", "no", "--rdb-key-save-delay", "1000"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "2000", "key", "10");
        await using var run = new EngineRun(Options(source, target), new TestLogger(output));
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(40), "the end of the full sync");
        Assert.Equal(2000, await Redis.DbSizeAsync(target, 0));
    }

    [Theory]
    [InlineData(SpoolCompression.None)]
    [InlineData(SpoolCompression.Lz4)]
    public async Task A_slow_target_makes_the_stream_spool_to_disk_and_the_source_keeps_its_replica(SpoolCompression compression)
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        var options = Options(source, target) with { SpoolMemoryLimitBytes = 16 * 1024, SpoolCompression = compression };
        await using var run = new EngineRun(options, new TestLogger(output));
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        // Freeze the target for 4 s while the source writes about 30 MB (more than socket and pipe buffers hold).
        var sleeping = Redis.CallAsync(target, "DEBUG", "SLEEP", "4");
        await Task.Delay(100);
        var value = new string('x', 1000);
        long peakDisk = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakDisk = Math.Max(peakDisk, run.Snapshot.SpoolDiskBytes);
                await Task.Delay(10);
            }
        });
        for (var batch = 0; batch < 30; batch++)
            await Redis.PipelineAsync(source, Enumerable.Range(0, 1000).Select(i => new[] { "SET", $"big:{batch}:{i}", value }));
        await sleeping;
        sampling.Cancel();
        await sampler;
        Assert.True(peakDisk > 1_000_000, $"expected the stream to spool to disk, peak {peakDisk} bytes");
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(60), offset);
        Assert.Equal(30_000, await Redis.DbSizeAsync(target, 0));
        Assert.Equal(1, Redis.Info(source, "replication", "connected_slaves"));
        Assert.Equal(0, run.Snapshot.SpoolDiskBytes);
    }

    [Fact]
    public async Task A_full_disk_spool_stops_the_sync_with_an_error_naming_its_limit()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        var options = Options(source, target) with { SpoolMemoryLimitBytes = 16 * 1024, SpoolDiskLimitBytes = 1 << 20 };
        await using var run = new EngineRun(options, new TestLogger(output));
        await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        // The target is frozen while the source writes about 10 MB: far more than 1 MB of spool and the socket buffers.
        var sleeping = Redis.CallAsync(target, "DEBUG", "SLEEP", "3");
        await Task.Delay(100);
        var value = new string('x', 1000);
        for (var batch = 0; batch < 10; batch++)
            await Redis.PipelineAsync(source, Enumerable.Range(0, 1000).Select(i => new[] { "SET", $"big:{batch}:{i}", value }));
        var error = await Assert.ThrowsAsync<SpoolFullException>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("spool_disk_limit_mb", error.Message);
        Assert.Equal(1 << 20, error.LimitBytes);
        await sleeping;
    }

    [Fact]
    public async Task A_source_still_loading_its_dataset_is_waited_for()
    {
        var dir = Directory.CreateTempSubdirectory("shake-loading-").FullName;
        try
        {
            await using (var seed = await RedisServer.StartAsync())
            {
                await seed.CliAsync("DEBUG", "POPULATE", "4000", "key", "10");
                await seed.CliAsync("SAVE");
                File.Copy(Path.Combine(seed.Directory, "dump.rdb"), Path.Combine(dir, "dump.rdb"));
            }
            // Loading 4000 keys at 0.5 ms each keeps the source answering -LOADING for about 2 s.
            await using var source = await RedisServer.StartAsync(["--dir", dir, "--key-load-delay", "500", "--repl-diskless-sync-delay", "0"]);
            await using var target = await RedisServer.StartAsync();
            var logger = new TestLogger(output);
            await using var run = new EngineRun(Options(source, target), logger);
            await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(40), "the stream after loading");
            Assert.Equal(4000, await Redis.DbSizeAsync(target, 0));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
