using System.Globalization;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Tests.Engine;
using Shake.Core.Writers;
using Shake.Resp.Connections;
using Shake.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Cluster;

/// <summary>Cluster sources and targets synced by the engine, against two real 3-master/3-replica clusters.</summary>
[Collection("cluster pair")]
public sealed partial class ClusterSyncTests(ClusterPairFixture clusters, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestLogger _logger = new(output);
    private readonly string _dir = Directory.CreateTempSubdirectory("shake-cluster-sync-").FullName;

    public Task InitializeAsync() => clusters.ResetAsync();

    public Task DisposeAsync()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private EngineOptions Options(string source, ITargetWriterFactory target, bool syncAof = true) => new()
    {
        Source = new RedisConnectionOptions { Address = source },
        Target = new RedisConnectionOptions { Address = "unused:1" },
        TargetFactory = target,
        Directory = _dir,
        RestoreBehavior = RestoreBehavior.Rewrite,
        SyncAof = syncAof,
        LogInterval = TimeSpan.FromSeconds(1),
        AckInterval = TimeSpan.FromMilliseconds(100),
    };

    private Task<ClusterTarget> TargetAsync(RedisCluster cluster) =>
        ClusterTarget.ConnectAsync(new RedisConnectionOptions { Address = cluster.SeedAddress }, new ClusterTargetOptions { RetryDeadline = TimeSpan.FromSeconds(60) }, _logger, CancellationToken.None);

    private static async Task<string> Execute(string address, int db, params string[] command)
    {
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = address, Database = db });
        var reply = await connection.ExecuteAsync(command);
        return reply.AsString() ?? "";
    }

    private static async Task<long> SourceOffset(string address)
    {
        var info = await Execute(address, 0, "INFO", "replication");
        return long.Parse(info.Split('\n').First(l => l.StartsWith("master_repl_offset:", StringComparison.Ordinal)).Split(':')[1].Trim(), CultureInfo.InvariantCulture);
    }

    private static async Task SetManyAsync(ClusterTestClient writer, string prefix, int count)
    {
        for (var start = 0; start < count; start += 500)
            await Task.WhenAll(Enumerable.Range(start, Math.Min(500, count - start)).Select(i => writer.ExecuteAsync("SET", prefix + i.ToString(CultureInfo.InvariantCulture), new string('v', 20 + i % 80))));
    }

    private static async Task<RedisDataSide> MastersOf(RedisCluster cluster) =>
        RedisDataSide.Cluster((await cluster.MastersAsync()).Select(m => m.Address));

    /// <summary>Waits until every engine of <paramref name="sync"/> streams and confirmed its source master's current offset.</summary>
    private static async Task WaitCaughtUpAsync(ClusterSourceSync sync, Task run, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (run.IsFaulted) await run;
            var engines = sync.Engines;
            var done = engines.Count > 0;
            foreach (var (_, source, engine) in engines)
            {
                var snapshot = engine.Statistics.Snapshot();
                if (snapshot.Phase != EnginePhase.Incremental) { done = false; break; }
                var offset = await SourceOffset(source);
                if (snapshot.ConfirmedOffset < offset) { done = false; break; }
            }
            if (done) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the engines did not catch up: " + string.Join("; ", engines.Select(e => $"{e.Source}: {e.Engine.Statistics.Snapshot()}")));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task AWholeClusterIsSyncedByOneProcessKeyByKeyWhileWritesGoOn()
    {
        var a = clusters.A;
        var b = clusters.B;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        var keys = await writer.WriteDatasetAsync(400);
        await SetManyAsync(writer, "bulk:", 100_000);
        await using var target = await TargetAsync(b);
        await using var run = new SyncRun(new ClusterSourceSync(Options(a.SeedAddress, target), ShardSelection.All, _logger));
        var sync = run.Sync;
        // Writes while the snapshots are applied and afterwards: strings, counters, lists.
        for (var i = 0; i < 3000; i++)
        {
            await writer.ExecuteAsync("SET", $"live:{i}", i.ToString(CultureInfo.InvariantCulture));
            await writer.ExecuteAsync("INCR", $"counter:{i % 50}");
            if (i % 3 == 0) await writer.ExecuteAsync("RPUSH", $"list:{i % 20}", i.ToString(CultureInfo.InvariantCulture));
        }
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, sync.Engines.Count);
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), await MastersOf(b), TimeSpan.FromSeconds(2));
        await run.StopAsync();
        output.WriteLine($"{keys} dataset keys; {target.Refreshes} topology refreshes");
    }

    [Fact]
    public async Task EachSlotKeepsItsOrderThroughATargetReshardingAndFailover()
    {
        var a = clusters.A;
        var b = clusters.B;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await using var target = await TargetAsync(b);
        await using var run = new SyncRun(new ClusterSourceSync(Options(a.SeedAddress, target), ShardSelection.All, _logger));
        var sync = run.Sync;
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));

        // 24 lists spread over the slots; round n appends n to each of them.
        var lists = Enumerable.Range(0, 24).Select(i => $"seq:{{{i}}}").ToArray();
        await using var appending = new Rounds(n => Task.WhenAll(lists.Select(l => writer.ExecuteAsync("RPUSH", l, n.ToString(CultureInfo.InvariantCulture)))));
        await Task.Delay(500);
        var masters = await b.MastersAsync();
        await b.ReshardAsync(masters[0], masters[1], 600);
        await Task.Delay(300);
        var replica = await b.ReplicaOfAsync(masters[2]);
        await b.FailoverAsync(replica, takeover: false);
        await Task.Delay(500);
        var rounds = await appending.StopAsync();
        await run.CaughtUpAsync(TimeSpan.FromSeconds(90));
        await using var reader = await ClusterTestClient.ConnectAsync(b);
        var expected = Enumerable.Range(0, rounds).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var list in lists)
        {
            var items = (await reader.ExecuteAsync("LRANGE", list, "0", "-1")).Items.Select(i => i.AsString()).ToArray();
            Assert.Equal(expected, items);
        }
        var resends = sync.Engines.Sum(e => e.Engine.Statistics.Snapshot().Resends);
        output.WriteLine($"{rounds} rounds, {resends} resends, {target.Refreshes} topology refreshes");
        await run.StopAsync();
    }

    [Fact]
    public async Task ASourceReshardingWhileSyncingLeavesEveryKeyOnTheTargetInOrder()
    {
        var a = clusters.A;
        var b = clusters.B;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await SetManyAsync(writer, "pre:", 5000);
        await using var target = await TargetAsync(b);
        await using var run = new SyncRun(new ClusterSourceSync(Options(a.SeedAddress, target), ShardSelection.All, _logger) { TopologyInterval = TimeSpan.FromMilliseconds(500) });
        var sync = run.Sync;
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));

        var lists = Enumerable.Range(0, 24).Select(i => $"seq:{{{i}}}").ToArray();
        await using var appending = new Rounds(async n =>
        {
            await Task.WhenAll(lists.Select(l => writer.ExecuteAsync("RPUSH", l, n.ToString(CultureInfo.InvariantCulture))));
            await writer.ExecuteAsync("SET", $"during:{n}", "x");
        });
        await Task.Delay(300);
        var masters = await a.MastersAsync();
        // Slots with keys move from one source master to another: DELs in one engine's stream, RESTOREs in another's.
        await a.ReshardAsync(masters[0], masters[1], 1500);
        await Task.Delay(500);
        var rounds = await appending.StopAsync();
        await Task.Delay(1500);
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), await MastersOf(b), TimeSpan.FromSeconds(2));
        await using var reader = await ClusterTestClient.ConnectAsync(b);
        var expected = Enumerable.Range(0, rounds).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var list in lists)
            Assert.Equal(expected, (await reader.ExecuteAsync("LRANGE", list, "0", "-1")).Items.Select(i => i.AsString()).ToArray());
        output.WriteLine($"{rounds} rounds; {sync.Migrations.DeletesDropped} migration DELs dropped; engines: {sync.Engines.Count}");
        Assert.Equal(3, sync.Engines.Count);
        await run.StopAsync();
    }

    [Fact]
    public async Task ATargetMasterKilledDuringTheStreamIsReplacedByItsReplicaAndNothingIsLost()
    {
        var a = clusters.A;
        var b = clusters.B;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await SetManyAsync(writer, "pre:", 3000);
        await using var target = await TargetAsync(b);
        await using var run = new SyncRun(new ClusterSourceSync(Options(a.SeedAddress, target), ShardSelection.All, _logger));
        var sync = run.Sync;
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        await using var setting = new Rounds(n => Task.WhenAll(Enumerable.Range(n * 50, 50).Select(i => writer.ExecuteAsync("SET", $"during:{i}", i.ToString(CultureInfo.InvariantCulture)))));
        await Task.Delay(300);
        await b.KillMasterAsync(0);
        await Task.Delay(500);
        var written = await setting.StopAsync() * 50;
        await run.CaughtUpAsync(TimeSpan.FromSeconds(90));
        Assert.False(run.Task.IsCompleted);
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), await MastersOf(b), TimeSpan.FromSeconds(2));
        output.WriteLine($"{written} writes during the failover; resends {sync.Engines.Sum(e => e.Engine.Statistics.Snapshot().Resends)}");
        await run.StopAsync();
    }

    [Fact]
    public async Task AClusterSourceIntoAStandaloneTargetLandsInDbZeroAndEndsAfterTheSnapshots()
    {
        var a = clusters.A;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        var keys = await writer.WriteDatasetAsync(100);
        await using var standalone = await RedisServer.StartAsync();
        var options = Options(a.SeedAddress, new StandaloneTargetFactory(new RedisConnectionOptions { Address = standalone.Address }), syncAof: false);
        var summaries = await new ClusterSourceSync(options, ShardSelection.All, _logger).RunAsync(CancellationToken.None);
        Assert.Equal(3, summaries.Count);
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), RedisDataSide.Standalone(standalone.Address), TimeSpan.FromSeconds(2));
        output.WriteLine($"{keys} keys");
    }

    [Fact]
    public async Task AMasterAddedToTheSourceIsFollowedWithoutARestart()
    {
        var a = clusters.A;
        var b = clusters.B;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await SetManyAsync(writer, "pre:", 2000);
        await using var target = await TargetAsync(b);
        await using var run = new SyncRun(new ClusterSourceSync(Options(a.SeedAddress, target), ShardSelection.All, _logger) { TopologyInterval = TimeSpan.FromMilliseconds(300) });
        var sync = run.Sync;
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        var added = await a.AddMasterAsync();
        var masters = await a.MastersAsync();
        await a.ReshardAsync(masters[0], added, 500);
        await writer.RefreshAsync();
        await SetManyAsync(writer, "post:", 2000);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (sync.Engines.Count < 4 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(4, sync.Engines.Count);
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), await MastersOf(b), TimeSpan.FromSeconds(2));
        await run.StopAsync();
    }

    [Fact]
    public async Task ASourceFailoverDuringTheStreamContinuesWithoutAFullSyncAndLosesNothing()
    {
        var a = clusters.A;
        var b = clusters.B;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await SetManyAsync(writer, "pre:", 3000);
        await using var target = await TargetAsync(b);
        await using var run = new SyncRun(new ClusterSourceSync(Options(a.SeedAddress, target), ShardSelection.All, _logger) { TopologyInterval = TimeSpan.FromMilliseconds(500), RestartDelay = TimeSpan.FromMilliseconds(200) });
        var sync = run.Sync;
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        // Counters show a write applied twice; SETs show one lost.
        await using var counting = new Rounds(async n =>
        {
            await Task.WhenAll(Enumerable.Range(0, 30).Select(i => writer.ExecuteAsync("INCR", $"counter:{i}")));
            await writer.ExecuteAsync("SET", $"during:{n}", "x");
        });
        await Task.Delay(500);
        var masters = await a.MastersAsync();
        var replica = await a.ReplicaOfAsync(masters[0]);
        // A graceful failover: the replica catches up before it takes over, so the histories cannot diverge.
        await a.FailoverAsync(replica, takeover: false);
        await Task.Delay(1500);
        var rounds = await counting.StopAsync();
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), await MastersOf(b), TimeSpan.FromSeconds(2));
        Assert.Contains(_logger.Lines, l => l.Message.Contains("answered PSYNC: CONTINUE", StringComparison.Ordinal));
        // One full sync per shard at the start, none after the takeover.
        Assert.Equal(3, _logger.Lines.Count(l => l.Message.Contains("answered PSYNC: FULLRESYNC", StringComparison.Ordinal)));
        output.WriteLine($"{rounds} rounds of writes across the takeover");
        await run.StopAsync();
    }

    [Fact]
    public async Task ASlotNobodyServesFailsTheWriterAfterItsDeadlineNamingNodeSlotAndKey()
    {
        var b = clusters.B;
        const string key = "orphan";
        var slot = Shake.Core.Routing.ClusterSlot.Of("orphan"u8);
        var owner = await b.MasterForAsync(slot);
        await using var target = await ClusterTarget.ConnectAsync(new RedisConnectionOptions { Address = b.SeedAddress },
            new ClusterTargetOptions { RetryDeadline = TimeSpan.FromSeconds(2) }, _logger, CancellationToken.None);
        await using var writer = await target.CreateAsync(new TargetWriterOptions(), new EngineStatistics(), _logger, CancellationToken.None);
        // The slot's master lets go of it once the writer knows the layout: the cluster answers CLUSTERDOWN for it.
        await owner.CliAsync("CLUSTER", "DELSLOTS", slot.ToString(CultureInfo.InvariantCulture));
        try
        {
            var command = System.Text.Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n$1\r\n1\r\n");
            writer.TrackOffsets(new Shake.Core.Replication.ConfirmedOffset(0));
            writer.WriteStreamCommand(new System.Buffers.ReadOnlySequence<byte>(command), 0, command.Length);
            await writer.FlushAsync(CancellationToken.None);
            var error = await Assert.ThrowsAnyAsync<IOException>(() => writer.Failure.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains($"slot {slot}", error.Message, StringComparison.Ordinal);
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
            Assert.Contains("node", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await owner.CliAsync("CLUSTER", "ADDSLOTS", slot.ToString(CultureInfo.InvariantCulture));
            await b.WaitUntilOkAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task AStandaloneSourceIntoAClusterSplitsWhatKeepsItsMeaningAndRefusesTheRest()
    {
        var b = clusters.B;
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await TargetAsync(b);
        await using var engine = new EngineRun(Options(source.Address, target), _logger);
        await engine.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        await source.CliAsync("MSET", "a", "1", "b", "2", "c", "3", "d", "4");
        await source.CliAsync("DEL", "a", "b");
        await source.CliAsync("MSETNX", "n1", "1", "n2", "2");
        await source.CliAsync("SET", "{t}x", "1");
        await source.CliAsync("RENAME", "{t}x", "elsewhere");
        await source.CliAsync("EVAL", "redis.call('SET', KEYS[1], '1'); redis.call('SET', KEYS[2], '2')", "2", "e1", "e2");
        await source.CliAsync("SET", "after", "1");
        await engine.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), await SourceOffset(source.Address));
        await using var reader = await ClusterTestClient.ConnectAsync(b);
        async Task<string?> Get(string key) => (await reader.ExecuteAsync("GET", key)).AsString();
        Assert.Null(await Get("a"));
        Assert.Null(await Get("b"));
        Assert.Equal("3", await Get("c"));
        Assert.Equal("4", await Get("d"));
        Assert.Null(await Get("n1"));
        Assert.Equal("1", await Get("{t}x"));
        Assert.Null(await Get("elsewhere"));
        Assert.Equal("1", await Get("after"));
        var snapshot = engine.Snapshot;
        Assert.Equal(2, snapshot.CommandsSplit);
        Assert.Null(await Get("e1"));
        // MSETNX, RENAME, and the script: Redis 7 replicates a script as its effects in MULTI/EXEC, a block of 4 across slots.
        Assert.Equal(6, snapshot.CommandsRefused);
        Assert.Contains(_logger.Lines, l => l.Message.Contains("msetnx", StringComparison.OrdinalIgnoreCase) && l.Message.Contains("refused", StringComparison.Ordinal));
        Assert.Contains(_logger.Lines, l => l.Message.Contains("rename", StringComparison.OrdinalIgnoreCase) && l.Message.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMultiExecBlockGoesWholeToOneMasterOrIsRefusedAcrossSlots()
    {
        var b = clusters.B;
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await TargetAsync(b);
        await using var engine = new EngineRun(Options(source.Address, target), _logger);
        await engine.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        await using (var client = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = source.Address }))
        {
            foreach (var command in new[] { "MULTI", "SET {u}1 1", "INCR {u}2", "EXEC", "MULTI", "SET m1 1", "SET m2 2", "EXEC", "SET last 1" })
                await client.ExecuteAsync(command.Split(' '));
        }
        await engine.WaitForZeroLagAsync(TimeSpan.FromSeconds(30), await SourceOffset(source.Address));
        await using var reader = await ClusterTestClient.ConnectAsync(b);
        Assert.Equal("1", (await reader.ExecuteAsync("GET", "{u}1")).AsString());
        Assert.Equal("1", (await reader.ExecuteAsync("GET", "{u}2")).AsString());
        Assert.Null((await reader.ExecuteAsync("GET", "m1")).AsString());
        Assert.Null((await reader.ExecuteAsync("GET", "m2")).AsString());
        Assert.Equal("1", (await reader.ExecuteAsync("GET", "last")).AsString());
        Assert.Equal(4, engine.Snapshot.CommandsRefused);
        Assert.Contains(_logger.Lines, l => l.Message.Contains("refused a MULTI/EXEC block", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADatabaseOtherThanZeroIsRefusedAtStartUpNamingTheDb()
    {
        var b = clusters.B;
        await using var source = await RedisServer.StartAsync();
        await Execute(source.Address, 3, "SET", "k", "v");
        await using var target = await TargetAsync(b);
        var engine = new SyncEngine(Options(source.Address, target), _logger);
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => engine.RunAsync(CancellationToken.None));
        Assert.Contains("db 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("filter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShardSelectionSplitsTheSourceShardsBetweenProcesses()
    {
        var a = clusters.A;
        var seed = new RedisConnectionOptions { Address = a.SeedAddress };
        var all = await ClusterSourceSync.ListShardsAsync(seed, ShardSelection.All, CancellationToken.None);
        Assert.Equal(3, all.Count);
        Assert.All(all, s => Assert.True(s.Selected));
        Assert.True(ShardSelection.TryParse("1/2", out var second));
        var first = await ClusterSourceSync.ListShardsAsync(seed, new ShardSelection(0, 2), CancellationToken.None);
        var other = await ClusterSourceSync.ListShardsAsync(seed, second, CancellationToken.None);
        // Every shard exactly once over both processes.
        Assert.All(all.Select((s, i) => (first[i].Selected ? 1 : 0) + (other[i].Selected ? 1 : 0)), n => Assert.Equal(1, n));
        Assert.False(ShardSelection.TryParse("2/2", out _));
        Assert.False(ShardSelection.TryParse("x", out _));
    }

    [Fact]
    public async Task EightSourceShardsShareOneConnectionPerTargetMaster()
    {
        var b = clusters.B;
        await using var source = await RedisCluster.StartAsync(masters: 8, replicasPerMaster: 0);
        await using (var writer = await ClusterTestClient.ConnectAsync(source)) await SetManyAsync(writer, "k:", 4000);
        var targetMasters = await b.MastersAsync();
        async Task<long> Clients(RedisServer server) => long.Parse((await server.CliAsync("INFO", "clients")).Split('\n').First(l => l.StartsWith("connected_clients:", StringComparison.Ordinal)).Split(':')[1].Trim(), CultureInfo.InvariantCulture);
        var before = new long[targetMasters.Count];
        for (var i = 0; i < before.Length; i++) before[i] = await Clients(targetMasters[i]);
        await using var target = await TargetAsync(b);
        await using var run = new SyncRun(new ClusterSourceSync(Options(source.SeedAddress, target), ShardSelection.All, _logger));
        var sync = run.Sync;
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(8, sync.Engines.Count);
        for (var i = 0; i < before.Length; i++)
        {
            var added = await Clients(targetMasters[i]) - before[i];
            output.WriteLine($"{targetMasters[i].Address}: {added} connections from 8 engines");
            Assert.InRange(added, 1, 1);
        }
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(source), await MastersOf(b), TimeSpan.FromSeconds(2));
        await run.StopAsync();
    }

    /// <summary>A whole-cluster sync running in the background of a test.</summary>
    private sealed class SyncRun : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public SyncRun(ClusterSourceSync sync)
        {
            Sync = sync;
            Task = System.Threading.Tasks.Task.Run(() => sync.RunAsync(_stop.Token));
        }

        public ClusterSourceSync Sync { get; }

        public Task Task { get; }

        public Task CaughtUpAsync(TimeSpan timeout) => WaitCaughtUpAsync(Sync, Task, timeout);

        public async Task StopAsync()
        {
            _stop.Cancel();
            await Task;
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            try { await Task; } catch (Exception) { /* the test already failed on it, or stopped it */ }
            _stop.Dispose();
        }
    }

    /// <summary>Writes round after round (round n gets n) in the background until stopped.</summary>
    private sealed class Rounds : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _count;

        public Rounds(Func<int, Task> round)
        {
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    await round(_count);
                    _count++;
                }
            });
        }

        /// <summary>Stops after the round in progress and returns how many rounds were written.</summary>
        public async Task<int> StopAsync()
        {
            _stop.Cancel();
            await _loop;
            return _count;
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            try { await _loop; } catch (Exception) { /* reported by StopAsync when it matters */ }
            _stop.Dispose();
        }
    }
}
