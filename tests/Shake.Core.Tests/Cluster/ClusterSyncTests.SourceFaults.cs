using System.Globalization;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Testing;

namespace Shake.Core.Tests.Cluster;

/// <summary>
/// Source faults beyond the graceful failover of <see cref="ASourceFailoverDuringTheStreamContinuesWithoutAFullSyncAndLosesNothing"/>:
/// a forced takeover during the stream, a takeover while the shard's snapshot is still being sent, and a master killed
/// so that the cluster fails over on its own. The sync keeps running through each, and every key A holds is on B with
/// A's value. A forced takeover (or a kill) while writes go on can leave B with the writes the old master confirmed and
/// passed on to Shake in the moments before its replica took over (the replica never had them, so A loses them): when
/// the new master cannot continue at the offset B holds, the shard is synced in full and those keys stay on B as extras.
/// </summary>
public sealed partial class ClusterSyncTests
{
    private ClusterSourceSync FaultTolerantSync(RedisCluster source, ClusterTarget target) =>
        new(Options(source.SeedAddress, target), ShardSelection.All, _logger) { TopologyInterval = TimeSpan.FromMilliseconds(500), RestartDelay = TimeSpan.FromMilliseconds(200) };

    private static Rounds SettingRounds(ClusterTestClient writer) =>
        new(n => Task.WhenAll(Enumerable.Range(n * 20, 20).Select(i => writer.ExecuteAsync("SET", $"during:{i}", i.ToString(CultureInfo.InvariantCulture)))));

    /// <summary>
    /// Asserts that B holds every key of A with A's value; keys only B holds must be writes of the test that A lost in
    /// the fault (the <c>during:</c> keys, absent from A). Returns how many such extras B holds.
    /// </summary>
    private async Task<int> AssertTargetHoldsTheSourceAsync(RedisCluster a, RedisCluster b)
    {
        var comparison = await ClusterDataComparer.CompareAsync(await MastersOf(a), await MastersOf(b), TimeSpan.FromSeconds(2));
        var wrong = comparison.Differences.Where(d => !(d.What == "extra on target" && d.Key.StartsWith("during:", StringComparison.Ordinal))).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} keys of A are missing or different on B, e.g. " + string.Join("; ", wrong.Take(10)));
        return comparison.Differences.Count;
    }

    // While a killed master's slots have no owner yet (node timeout plus election), a write fails after the test client's
    // retries; the next round tries again. Whether a failed write was applied does not matter: A and B are compared.
    private static Rounds TolerantSettingRounds(ClusterTestClient writer) =>
        new(n => Task.WhenAll(Enumerable.Range(n * 20, 20).Select(async i =>
        {
            try { await writer.ExecuteAsync("SET", $"during:{i}", i.ToString(CultureInfo.InvariantCulture)); }
            catch (InvalidOperationException) { await Task.Delay(200); }
        })));

    private int PsyncAnswers(string kind) => _logger.Lines.Count(l => l.Message.Contains("answered PSYNC: " + kind, StringComparison.Ordinal));

    [Fact]
    public async Task ASourceTakeoverDuringTheStreamContinuesWithoutAFullSync()
    {
        var a = clusters.A;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await SetManyAsync(writer, "pre:", 3000);
        await using var target = await TargetAsync(clusters.B);
        await using var run = new SyncRun(FaultTolerantSync(a, target));
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        await using var setting = SettingRounds(writer);
        await Task.Delay(500);
        var masters = await a.MastersAsync();
        await a.FailoverAsync(await a.ReplicaOfAsync(masters[0]), takeover: true);
        await Task.Delay(1500);
        var rounds = await setting.StopAsync();
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        Assert.False(run.Task.IsCompleted);
        var extras = await AssertTargetHoldsTheSourceAsync(a, clusters.B);
        // Either the new master continued the old history, or it could not (it never had what B holds) and the shard
        // was synced in full: exactly one PSYNC answer after the takeover.
        Assert.Equal(4, PsyncAnswers("CONTINUE") + PsyncAnswers("FULLRESYNC"));
        output.WriteLine($"{rounds * 20} SETs across the takeover; after it: {PsyncAnswers("CONTINUE")} CONTINUE, {PsyncAnswers("FULLRESYNC") - 3} FULLRESYNC; {extras} writes A lost are on B");
        await run.StopAsync();
    }

    [Fact]
    public async Task ASourceTakeoverDuringTheFullSyncEndsKeyByKeyEqual()
    {
        var a = clusters.A;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await SetManyAsync(writer, "pre:", 6000);
        var masters = await a.MastersAsync();
        var slow = masters[0];
        // About 2 s of snapshot for this shard's ~2000 keys, so the takeover lands while it is being sent.
        await slow.CliAsync("CONFIG", "SET", "rdb-key-save-delay", "1000");
        try
        {
            await using var target = await TargetAsync(clusters.B);
            await using var run = new SyncRun(FaultTolerantSync(a, target));
            await using var setting = SettingRounds(writer);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!_logger.Lines.Any(l => l.Message.Contains($"{slow.Address} sends the RDB", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, "the slow shard's snapshot did not start");
                await Task.Delay(50);
            }
            await Task.Delay(300);
            Assert.DoesNotContain(_logger.Lines, l => l.Message.Contains("full sync done", StringComparison.Ordinal) && l.Message.Contains(slow.Address, StringComparison.Ordinal));
            await a.FailoverAsync(await a.ReplicaOfAsync(slow), takeover: true);
            await slow.CliAsync("CONFIG", "SET", "rdb-key-save-delay", "0");
            await Task.Delay(1000);
            var rounds = await setting.StopAsync();
            await run.CaughtUpAsync(TimeSpan.FromSeconds(90));
            Assert.False(run.Task.IsCompleted);
            var extras = await AssertTargetHoldsTheSourceAsync(a, clusters.B);
            // The interrupted snapshot is taken again from the new master.
            Assert.Equal(4, PsyncAnswers("FULLRESYNC"));
            output.WriteLine($"{rounds * 20} SETs across the takeover; {extras} writes A lost are on B");
            await run.StopAsync();
        }
        finally
        {
            await slow.CliAsync("CONFIG", "SET", "rdb-key-save-delay", "0");
        }
    }

    [Fact]
    public async Task ASourceMasterKilledAndFailedOverByTheClusterEndsKeyByKeyEqual()
    {
        var a = clusters.A;
        await using var writer = await ClusterTestClient.ConnectAsync(a);
        await SetManyAsync(writer, "pre:", 3000);
        await using var target = await TargetAsync(clusters.B);
        await using var run = new SyncRun(FaultTolerantSync(a, target));
        await run.CaughtUpAsync(TimeSpan.FromSeconds(60));
        await using var setting = TolerantSettingRounds(writer);
        await Task.Delay(500);
        await a.KillMasterAsync(0);
        await Task.Delay(1000);
        var rounds = await setting.StopAsync();
        await run.CaughtUpAsync(TimeSpan.FromSeconds(90));
        Assert.False(run.Task.IsCompleted);
        var extras = await AssertTargetHoldsTheSourceAsync(a, clusters.B);
        output.WriteLine($"{rounds * 20} SETs across the kill; PSYNC after it: {PsyncAnswers("CONTINUE")} CONTINUE, {PsyncAnswers("FULLRESYNC") - 3} FULLRESYNC; {extras} writes A lost are on B");
        await run.StopAsync();
    }
}
