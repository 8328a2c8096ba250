using Shake.Core.Configuration;
using Shake.Core.Tests.Engine;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Failover;

/// <summary>
/// The split-brain window made deterministic: the replica's link is broken, the old master takes writes Shake applies,
/// then the master dies and the sentinel promotes the replica, which never had them.
/// </summary>
public sealed class DivergenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WritesOnlyTheOldMasterHadAreReportedByRangeCountAndKeysAndCounted()
    {
        await using var harness = await FailoverHarness.StartAsync();
        var logger = new TestLogger(output);
        await Redis.PipelineAsync(harness.Master, Enumerable.Range(0, 500).Select(i => new[] { "SET", $"pre:{i}", "v" }));
        harness.StartSync(logger, RestoreBehavior.Rewrite);
        await harness.CaughtUpAsync(harness.Master, TimeSpan.FromSeconds(60));

        // The replica can no longer authenticate to its master, so it stops following it.
        await Redis.CallAsync(harness.Replica, "CONFIG", "SET", "masterauth", "not-the-password");
        await Redis.CallAsync(harness.Replica, "CLIENT", "KILL", "TYPE", "master");
        await WaitForLinkDownAsync(harness);
        var forkAt = Redis.Info(harness.Replica, "replication", "master_repl_offset") + 1;
        string[] divergent = ["div:a", "div:b", "div:c", "div:d", "div:e"];
        foreach (var key in divergent) await Redis.CallAsync(harness.Master, "SET", key, "only-on-the-old-master");
        await Redis.CallAsync(harness.Master, "INCR", "div:counter");
        await harness.CaughtUpAsync(harness.Master, TimeSpan.FromSeconds(30));
        var applied = harness.Sync!.Engine!.Statistics.Snapshot().ConfirmedOffset;

        harness.Master.Kill();
        await harness.Sentinel.WaitForMasterAsync(harness.Replica.Address, TimeSpan.FromSeconds(60));
        await Redis.CallAsync(harness.Replica, "SET", "after", "1");
        await harness.CaughtUpAsync(harness.Replica, TimeSpan.FromSeconds(60));

        var warning = Assert.Single(logger.Lines, l => l.Message.StartsWith("divergence:", StringComparison.Ordinal)).Message;
        Assert.Contains($"forks at offset {forkAt}", warning, StringComparison.Ordinal);
        Assert.Contains($"bytes {forkAt}..{applied}", warning, StringComparison.Ordinal);
        Assert.Contains("6 commands", warning, StringComparison.Ordinal);
        foreach (var key in divergent.Append("div:counter")) Assert.Contains(key, warning, StringComparison.Ordinal);
        Assert.Contains(logger.Lines, l => l.Message.Contains("could not continue", StringComparison.Ordinal) && l.Message.Contains("second_repl_offset", StringComparison.Ordinal));
        var snapshot = harness.Sync.Engine.Statistics.Snapshot();
        Assert.Equal(1, snapshot.Divergences);
        Assert.Equal(6, snapshot.DivergentCommands);
        Assert.Contains("diverged=6 cmds", Shake.Core.Engine.StatusLine.Format(snapshot, null), StringComparison.Ordinal);
        // Shake cannot take them back: the full sync from the new master leaves keys it does not have alone.
        Assert.Equal("only-on-the-old-master", (await Redis.CallAsync(harness.Target, "GET", "div:a")).AsString());
        Assert.Equal("1", (await Redis.CallAsync(harness.Target, "GET", "after")).AsString());
        await harness.StopAsync();
    }

    private static async Task WaitForLinkDownAsync(FailoverHarness harness)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await Redis.CallAsync(harness.Replica, "INFO", "replication")).AsString()!.Contains("master_link_status:down", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the replica's link to its master stayed up");
            await Task.Delay(50);
        }
    }
}
