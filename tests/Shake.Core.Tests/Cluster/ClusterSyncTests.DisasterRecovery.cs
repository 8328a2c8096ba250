using System.Globalization;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Testing;

namespace Shake.Core.Tests.Cluster;

/// <summary>
/// The disaster-recovery round trip of docs/runbook-disaster-recovery.md: A → B; A is lost and clients write to B; A
/// comes back stale; B → A with <c>empty_db_before_sync</c> brings A level with B; then A → B again.
/// </summary>
public sealed partial class ClusterSyncTests
{
    [Fact]
    public async Task TheDisasterRecoveryRoundTripLeavesBothClustersKeyByKeyEqualAfterEachStep()
    {
        var a = clusters.A;
        var b = clusters.B;
        await using var onA = await ClusterTestClient.ConnectAsync(a);
        await using var onB = await ClusterTestClient.ConnectAsync(b);
        await onA.WriteDatasetAsync(50);
        await SetManyAsync(onA, "k:", 3000);

        // 1. A → B while clients write to A.
        await using (var toB = await TargetAsync(b))
        await using (var sync = new SyncRun(new ClusterSourceSync(Options(a.SeedAddress, toB), ShardSelection.All, _logger)))
        {
            await WriteRoundAsync(onA, "a1");
            await sync.CaughtUpAsync(TimeSpan.FromSeconds(60));
            await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), await MastersOf(b), TimeSpan.FromSeconds(2));
            await sync.StopAsync();
        }

        // 2. A is lost: the sync stops with it, and the clients move to B, where they overwrite, add and delete keys.
        //    A comes back stale: it still holds what it had, including keys B has deleted since.
        await WriteRoundAsync(onB, "b");
        for (var i = 0; i < 3000; i += 3) await onB.ExecuteAsync("DEL", "k:" + i.ToString(CultureInfo.InvariantCulture));
        Assert.NotEmpty((await ClusterDataComparer.CompareAsync(await MastersOf(b), await MastersOf(a), TimeSpan.FromSeconds(2))).Differences);

        // 3. B → A recovery: A is emptied first (empty_db_before_sync), so keys deleted on B do not survive on A.
        await using (var toA = await TargetAsync(a))
        await using (var recovery = new SyncRun(new ClusterSourceSync(Options(b.SeedAddress, toA) with { EmptyDbBeforeSync = true }, ShardSelection.All, _logger)))
        {
            await WriteRoundAsync(onB, "b2");
            await recovery.CaughtUpAsync(TimeSpan.FromSeconds(60));
            await ClusterDataComparer.AssertEqualAsync(await MastersOf(b), await MastersOf(a), TimeSpan.FromSeconds(2));
            // The switch back: clients stop writing to B, the recovery catches up and stops.
            await recovery.StopAsync();
        }
        await ClusterDataComparer.AssertEqualAsync(await MastersOf(b), await MastersOf(a), TimeSpan.FromSeconds(2));

        // 4. Back to A → B: clients write to A again.
        await using (var toB = await TargetAsync(b))
        await using (var sync = new SyncRun(new ClusterSourceSync(Options(a.SeedAddress, toB), ShardSelection.All, _logger)))
        {
            await WriteRoundAsync(onA, "a2");
            for (var i = 1; i < 3000; i += 3) await onA.ExecuteAsync("DEL", "k:" + i.ToString(CultureInfo.InvariantCulture));
            await sync.CaughtUpAsync(TimeSpan.FromSeconds(60));
            await ClusterDataComparer.AssertEqualAsync(await MastersOf(a), await MastersOf(b), TimeSpan.FromSeconds(2));
            await sync.StopAsync();
        }
        output.WriteLine($"A holds {await onA.CountKeysAsync()} keys after the round trip");
    }

    // Overwrites, new keys, counters and list appends, tagged by the step that wrote them.
    private static async Task WriteRoundAsync(ClusterTestClient writer, string step)
    {
        for (var i = 0; i < 500; i++)
        {
            await writer.ExecuteAsync("SET", "k:" + (i * 5).ToString(CultureInfo.InvariantCulture), step);
            await writer.ExecuteAsync("SET", $"{step}:{i}", "x");
            await writer.ExecuteAsync("INCR", $"counter:{i % 10}");
            if (i % 5 == 0) await writer.ExecuteAsync("RPUSH", $"log:{i % 7}", step);
        }
    }
}
