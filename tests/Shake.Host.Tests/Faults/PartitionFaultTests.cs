using System.Diagnostics;
using Shake.Testing;

namespace Shake.Host.Tests.Faults;

/// <summary>
/// Network partitions between Shake and the source or the target (a <see cref="FaultProxy"/> that stops moving bytes),
/// during the full sync and during the stream, healed after 5 s or after more than the source's <c>repl-timeout</c>.
/// Every case must end with source == target key by key while write load runs on the source.
/// </summary>
[Collection("faults")]
public sealed class PartitionFaultTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(FaultRig.ReplTimeoutSeconds + 6);

    [Theory]
    [InlineData("source", "stream", FaultRig.ReplTimeoutSeconds + 6)]
    [InlineData("target", "full sync", 5)]
    public Task PartitionHealsToEqualData(string side, string phase, int seconds) => RunAsync(side, phase, TimeSpan.FromSeconds(seconds));

    [Theory]
    [Trait(LongFault.Category, LongFault.Value)]
    [InlineData("source", "stream", 5)]
    [InlineData("source", "full sync", 5)]
    [InlineData("source", "full sync", FaultRig.ReplTimeoutSeconds + 6)]
    [InlineData("target", "full sync", FaultRig.ReplTimeoutSeconds + 6)]
    [InlineData("target", "stream", 5)]
    [InlineData("target", "stream", FaultRig.ReplTimeoutSeconds + 6)]
    public Task LongerPartitionVariantsHealToEqualData(string side, string phase, int seconds) => RunAsync(side, phase, TimeSpan.FromSeconds(seconds));

    [Theory]
    [Trait(LongFault.Category, LongFault.Value)]
    [InlineData("source")]
    [InlineData("target")]
    public async Task ConnectionsResetDuringTheStreamRecoverToEqualData(string side)
    {
        await using var rig = await FaultRig.CreateAsync();
        await rig.StartLoadAsync();
        var shake = rig.StartShake();
        await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        (side == "source" ? rig.SourceProxy : rig.TargetProxy).Cut();
        var recovered = await rig.WaitForMarkerAsync(TimeSpan.FromSeconds(120));
        var keys = await rig.ConvergeAsync(TimeSpan.FromSeconds(60));
        Assert.False(shake.HasExited, shake.AllText);
        Assert.Contains("the sync stopped:", shake.Output);
        FaultReport.Row($"connections reset (RST) Shake–{side}", "stream", rig.Outcome(), keys, recovered);
    }

    private static async Task RunAsync(string side, string phase, TimeSpan duration)
    {
        await using var rig = await FaultRig.CreateAsync();
        var proxy = side == "source" ? rig.SourceProxy : rig.TargetProxy;
        // Stretches the snapshot over a few seconds so the partition surely falls inside it.
        if (phase == "full sync") proxy.BytesPerSecond = 4 << 20;
        await rig.StartLoadAsync();
        var shake = rig.StartShake();
        if (phase == "full sync")
        {
            await WaitForBytesAsync(rig, proxy, side, 1 << 20);
            Assert.DoesNotContain("full sync done", shake.Output);
        }
        else
        {
            await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
            await Task.Delay(1000);
        }

        await proxy.PartitionAsync(duration);
        proxy.BytesPerSecond = 0;
        var recovered = await rig.WaitForMarkerAsync(TimeSpan.FromSeconds(120));
        var keys = await rig.ConvergeAsync(TimeSpan.FromSeconds(60));
        Assert.False(shake.HasExited, shake.AllText);
        if (side == "source" && duration >= Long)
            Assert.Contains("the sync stopped:", shake.Output);
        FaultReport.Row($"partition Shake–{side} {duration.TotalSeconds:F0} s", phase, rig.Outcome(), keys, recovered);
    }

    private static async Task WaitForBytesAsync(FaultRig rig, FaultProxy proxy, string side, long bytes)
    {
        var watch = Stopwatch.StartNew();
        while ((side == "source" ? proxy.BytesToClient : proxy.BytesToUpstream) < bytes)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60) || rig.Shake.HasExited)
                throw new TimeoutException($"the full sync did not reach the {side} proxy; output:\n{ShakeProcess.Tail(rig.Shake.AllText)}");
            await Task.Delay(5);
        }
    }
}

[CollectionDefinition("faults", DisableParallelization = true)]
public sealed class FaultCollection;
