using System.Globalization;
using Shake.Core.Engine;
using Shake.Core.Tests.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Failover;

/// <summary><c>target_wait_replicas</c>: the offset acknowledged to the source never passes what the target's replica holds.</summary>
public sealed class TargetWaitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AcksStopWhileTheTargetsReplicaLagsAndMoveOnOnceItHasTheWrites()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await using var targetReplica = await RedisServer.StartAsync(["--replicaof", "127.0.0.1", target.Port.ToString(CultureInfo.InvariantCulture)]);
        await FailoverHarness.WaitForLinkAsync(targetReplica, TimeSpan.FromSeconds(30));
        var logger = new TestLogger(output);
        var dir = Path.Combine(Path.GetTempPath(), "shake-failover-test", Guid.NewGuid().ToString("N"));
        await using var engine = new EngineRun(new EngineOptions
        {
            Source = Redis.Options(source),
            Target = Redis.Options(target),
            Directory = dir,
            AckInterval = TimeSpan.FromMilliseconds(100),
            TargetWaitReplicas = 1,
        }, logger);
        await engine.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        await Redis.PipelineAsync(source, Enumerable.Range(0, 100).Select(i => new[] { "SET", $"a:{i}", "v" }));
        var first = Redis.Info(source, "replication", "master_repl_offset");
        await WaitForAckAsync(source, first, TimeSpan.FromSeconds(30));
        Assert.True(first > 0 && engine.Snapshot.ReplicatedOffset >= first);
        // (A WAIT may already have fallen short on a loaded machine, where 100 ms is not always enough for the replica.)
        var linesBefore = logger.Lines.Count;

        // The target's replica stops following: it cannot authenticate any more.
        await Redis.CallAsync(targetReplica, "CONFIG", "SET", "masterauth", "not-the-password");
        await Redis.CallAsync(targetReplica, "CLIENT", "KILL", "TYPE", "master");
        await Redis.PipelineAsync(source, Enumerable.Range(0, 100).Select(i => new[] { "SET", $"b:{i}", "v" }));
        var second = Redis.Info(source, "replication", "master_repl_offset");
        await engine.WaitUntilAsync(s => s.ConfirmedOffset >= second, TimeSpan.FromSeconds(30), "the target applying the writes");
        await Task.Delay(1500);
        Assert.True(AckedOffset(source) < second, $"acknowledged {AckedOffset(source)} although the target's replica lacks the writes up to {second}");
        Assert.True(engine.Snapshot.ReplicatedOffset < second);
        Assert.Contains(logger.Lines.Skip(linesBefore), l => l.Message.StartsWith("target replicas: WAIT 1 100 counted 0", StringComparison.Ordinal));

        await Redis.CallAsync(targetReplica, "CONFIG", "SET", "masterauth", "");
        await FailoverHarness.WaitForLinkAsync(targetReplica, TimeSpan.FromSeconds(30));
        await Redis.CallAsync(source, "SET", "c", "1");
        var third = Redis.Info(source, "replication", "master_repl_offset");
        await WaitForAckAsync(source, third, TimeSpan.FromSeconds(30));
        Assert.True(engine.Snapshot.ReplicatedOffset >= third);
        await engine.StopAsync();
        Assert.True(File.Exists(Path.Combine(dir, ResumePoint.FileName)), "a clean stop with the replica in step saves the resume point");
    }

    // The offset Shake acknowledged, as the source shows it for its replica.
    private static long AckedOffset(RedisServer source)
    {
        var text = Redis.CallAsync(source, "INFO", "replication").GetAwaiter().GetResult().AsString() ?? "";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("slave0:", StringComparison.Ordinal));
        if (line is null) return -1;
        var field = line.Trim().Split(',').First(p => p.StartsWith("offset=", StringComparison.Ordinal));
        return long.Parse(field["offset=".Length..], CultureInfo.InvariantCulture);
    }

    private static async Task WaitForAckAsync(RedisServer source, long offset, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (AckedOffset(source) < offset)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the source saw ACK {AckedOffset(source)}, not {offset}");
            await Task.Delay(50);
        }
    }
}
