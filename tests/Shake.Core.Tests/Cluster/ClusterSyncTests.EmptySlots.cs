using System.Globalization;
using System.Text;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Writers;
using Shake.Core.Routing;
using Shake.Testing;

namespace Shake.Core.Tests.Cluster;

/// <summary>
/// <c>empty_db_before_sync</c> with a cluster source: the target is flushed once at the start, and a shard synced in
/// full again later, or every shard of a process that serves only some shards, starts from its own slots emptied, so
/// that keys the source no longer has do not stay on the target and the other shards' keys are left alone.
/// </summary>
public sealed partial class ClusterSyncTests
{
    // A key name of the form prefix:N whose slot is (or, with inside false, is not) in `slots`.
    private static string KeyIn(IReadOnlyList<SlotRange> slots, string prefix, bool inside = true)
    {
        for (var i = 0; ; i++)
        {
            var key = prefix + ":" + i.ToString(CultureInfo.InvariantCulture);
            var slot = ClusterSlot.Of(Encoding.UTF8.GetBytes(key));
            if (slots.Any(r => r.Contains(slot)) == inside) return key;
        }
    }

    private static async Task<bool> ExistsAsync(ClusterTestClient client, string key) => (await client.ExecuteAsync("EXISTS", key)).Integer == 1;

    [Fact]
    public async Task AShardSyncedInFullAgainStartsFromItsSlotsEmptiedAndLeavesTheOthers()
    {
        var a = clusters.A;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await using var onB = await ClusterTestClient.ConnectAsync(clusters.B);
        await SetManyAsync(writer, "pre:", 3000);
        await using var target = await TargetAsync(clusters.B);
        var sync = new ClusterSourceSync(Options(a.SeedAddress, target) with { EmptyDbBeforeSync = true }, ShardSelection.All, _logger)
        {
            TopologyInterval = TimeSpan.FromMilliseconds(500),
            RestartDelay = TimeSpan.FromMilliseconds(200),
        };
        await using var run = new SyncRun(sync);
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));

        var topology = await a.ReadTopologyAsync();
        var shard = topology.Masters[0];
        // What a lost write leaves on B: a key of the shard's slots that A does not hold. And a key of another shard's
        // slots that this shard's full sync must not touch.
        var stale = KeyIn(shard.Slots, "stale");
        var other = KeyIn(shard.Slots, "other", inside: false);
        await onB.ExecuteAsync("SET", stale, "lost on A");
        await onB.ExecuteAsync("SET", other, "not this shard's");
        // A slot of the shard that is migrating keeps its keys on B: some may already be on the importing master.
        var master = a.ServerAt(shard.Address);
        var migrating = shard.Slots[0].Start + 7;
        var staying = KeyIn([new(migrating, migrating)], "migrating");
        await onB.ExecuteAsync("SET", staying, "in a migrating slot");
        var importer = topology.Masters.First(m => m.Id != shard.Id);
        await master.CliAsync("CLUSTER", "SETSLOT", migrating.ToString(CultureInfo.InvariantCulture), "MIGRATING", importer.Id);
        try
        {
            // The shard's master forgets the history B follows and drops Shake: the engine must sync the shard in full.
            await master.CliAsync("DEBUG", "CHANGE-REPL-ID");
            await master.CliAsync("CLIENT", "KILL", "TYPE", "replica");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!_logger.Lines.Any(l => l.Message.Contains("empty_db_before_sync: deleted", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, "the shard was not emptied before a full sync");
                await Task.Delay(50);
            }
            await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await master.CliAsync("CLUSTER", "SETSLOT", migrating.ToString(CultureInfo.InvariantCulture), "STABLE");
        }
        Assert.Equal(4, PsyncAnswers("FULLRESYNC"));
        var line = _logger.Lines.Single(l => l.Message.Contains("empty_db_before_sync: deleted", StringComparison.Ordinal)).Message;
        Assert.Contains(string.Join(",", SlotRange.Without(shard.Slots, new HashSet<int> { migrating })), line, StringComparison.Ordinal);
        Assert.Contains(_logger.Lines, l => l.Message.Contains($"slots {migrating} of this shard are migrating", StringComparison.Ordinal));
        Assert.False(await ExistsAsync(onB, stale), $"{stale} stayed on B");
        Assert.True(await ExistsAsync(onB, other), $"{other}, of another shard, was deleted");
        Assert.True(await ExistsAsync(onB, staying), $"{staying}, in a migrating slot, was deleted");
        await onB.ExecuteAsync("DEL", staying);
        // One FLUSHALL at the start, none for the shard synced again.
        Assert.Single(_logger.Lines, l => l.Message.Contains("FLUSHALL", StringComparison.Ordinal));
        await onB.ExecuteAsync("DEL", other);
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), await MastersOf(clusters.B), TimeSpan.FromSeconds(2));
        await run.StopAsync();
    }

    [Fact]
    public async Task AProcessServingSomeShardsEmptiesOnlyTheirSlotsNeverTheWholeTarget()
    {
        var a = clusters.A;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await using var onB = await ClusterTestClient.ConnectAsync(clusters.B);
        await SetManyAsync(writer, "pre:", 2000);
        var topology = await a.ReadTopologyAsync();
        // shards = "0/3" serves the first shard of the list Shake reads, ordered by lowest slot.
        var served = topology.Masters.OrderBy(m => m.LowestSlot).First();
        var stale = KeyIn(served.Slots, "stale");
        var other = KeyIn(served.Slots, "other", inside: false);
        await onB.ExecuteAsync("SET", stale, "not on A");
        await onB.ExecuteAsync("SET", other, "another process's shard");
        await using var target = await TargetAsync(clusters.B);
        var sync = new ClusterSourceSync(Options(a.SeedAddress, target, syncAof: false) with { EmptyDbBeforeSync = true }, new ShardSelection(0, 3), _logger);
        await sync.RunAsync(CancellationToken.None);

        Assert.DoesNotContain(_logger.Lines, l => l.Message.Contains("FLUSHALL", StringComparison.Ordinal));
        Assert.False(await ExistsAsync(onB, stale), $"{stale} stayed on B");
        Assert.True(await ExistsAsync(onB, other), $"{other}, of a shard another process serves, was deleted");
        // Every key of the served shard arrived, and nothing else but the key planted in another shard's slots.
        var servedKeys = long.Parse(await a.ServerAt(served.Address).CliAsync("DBSIZE"), CultureInfo.InvariantCulture);
        long onTarget = 0;
        foreach (var master in await clusters.B.MastersAsync())
            onTarget += long.Parse(await master.CliAsync("DBSIZE"), CultureInfo.InvariantCulture);
        Assert.Equal(servedKeys + 1, onTarget);
    }

    [Fact]
    public async Task AClusterTargetLosesExactlyTheKeysOfTheSlotsOnEveryMaster()
    {
        var b = clusters.B;
        await using var onB = await ClusterTestClient.ConnectAsync(b);
        // Across two masters' slot ranges.
        SlotRange[] swept = [new(5000, 12000)];
        var keys = Enumerable.Range(0, 1500).Select(i => "k:" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        // One slot holding more keys than one read returns.
        var tag = KeyIn(swept, "tag");
        keys.AddRange(Enumerable.Range(0, 1200).Select(i => "{" + tag + "}:" + i.ToString(CultureInfo.InvariantCulture)));
        foreach (var chunk in keys.Chunk(300)) await Task.WhenAll(chunk.Select(k => onB.ExecuteAsync("SET", k, "v")));
        var checkpoint = KeyIn(swept, "shake-checkpoint");
        await onB.ExecuteAsync("SET", checkpoint, "kept");
        await using var target = await TargetAsync(b);
        await using var writer = await target.CreateAsync(new TargetWriterOptions(), new EngineStatistics(), _logger, CancellationToken.None);

        var deleted = await writer.DeleteSlotsAsync(swept, 0, "shake-checkpoint", CancellationToken.None);

        bool InSwept(string key) => swept[0].Contains(ClusterSlot.Of(Encoding.UTF8.GetBytes(key)));
        Assert.Equal(keys.Count(InSwept), deleted);
        foreach (var key in keys) Assert.Equal(!InSwept(key), await ExistsAsync(onB, key));
        Assert.True(await ExistsAsync(onB, checkpoint));
        Assert.Equal(0, await writer.DeleteSlotsAsync(swept, 1, "", CancellationToken.None));
    }
}
