using System.Globalization;
using Shake.Core.Engine;
using Shake.Core.Tests.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Failover;

/// <summary>A standalone source managed by Redis Sentinel: Shake follows the master the sentinel names through a failover without a full sync.</summary>
public sealed class SentinelFailoverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFailoverDuringTheStreamContinuesOnTheNewMasterWithoutAFullSync(bool killMaster)
    {
        await using var harness = await FailoverHarness.StartAsync();
        var logger = new TestLogger(output);
        await Redis.PipelineAsync(harness.Master, Enumerable.Range(0, 2000).Select(i => new[] { "SET", $"pre:{i}", "v" }));
        harness.StartSync(logger);
        await harness.CaughtUpAsync(harness.Master, TimeSpan.FromSeconds(60));
        await WriteRoundsAsync(harness.Master, "before", 300);

        // Writes stop while the roles change, so old and new master hold the same history (no split brain).
        await Redis.CallAsync(harness.Master, "CLIENT", "PAUSE", "20000", "WRITE");
        var replicaOffset = await ReplicaCaughtUpAsync(harness.Master, harness.Replica);
        output.WriteLine($"replica holds offset {replicaOffset}");
        if (killMaster) harness.Master.Kill();
        else await harness.Sentinel.FailoverAsync(TimeSpan.FromSeconds(30));
        await harness.Sentinel.WaitForMasterAsync(harness.Replica.Address, TimeSpan.FromSeconds(60));
        if (!killMaster) await Redis.CallAsync(harness.Master, "CLIENT", "UNPAUSE");

        await WriteRoundsAsync(harness.Replica, "after", 300);
        await harness.CaughtUpAsync(harness.Replica, TimeSpan.FromSeconds(60));
        Assert.Contains(logger.Lines, l => l.Message.Contains("answered PSYNC: CONTINUE", StringComparison.Ordinal));
        Assert.Single(logger.Lines, l => l.Message.Contains("answered PSYNC: FULLRESYNC", StringComparison.Ordinal));
        Assert.Equal(0, harness.Sync!.Engine!.Statistics.Snapshot().Divergences);
        await DataAssert.EqualAsync(harness.Replica, harness.Target);
        Assert.Equal("300", (await Redis.CallAsync(harness.Target, "GET", "counter:after")).AsString());
        await harness.StopAsync();
    }

    // Each round: a new key and an increment, so a lost or doubled command shows.
    internal static async Task WriteRoundsAsync(RedisServer server, string tag, int rounds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var n = 0; n < rounds; n++)
        {
            var reply = await Redis.CallAsync(server, "SET", $"{tag}:{n}", n.ToString(CultureInfo.InvariantCulture));
            if (reply.IsError && DateTime.UtcNow < deadline)
            {
                // A master just promoted may still answer READONLY for a moment.
                n--;
                await Task.Delay(50);
                continue;
            }
            Assert.False(reply.IsError, reply.AsString());
            Assert.False((await Redis.CallAsync(server, "INCR", $"counter:{tag}")).IsError);
        }
    }

    internal static async Task<long> ReplicaCaughtUpAsync(RedisServer master, RedisServer replica)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var wanted = Redis.Info(master, "replication", "master_repl_offset");
            var held = Redis.Info(replica, "replication", "master_repl_offset");
            if (held >= wanted) return held;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{replica.Address} holds {held}, its master {wanted}");
            await Task.Delay(20);
        }
    }
}
