using System.Diagnostics;
using Shake.Testing;

namespace Shake.Host.Tests.Faults;

/// <summary>
/// A frozen target (the spool takes the stream on disk, memory stays flat, the source keeps Shake despite a small
/// replica output-buffer limit) and a source that drops Shake anyway (Shake notices, says why, resyncs).
/// </summary>
[Collection("faults")]
public sealed class TargetAndSourceFaultTests
{
    [Fact]
    public Task PausedTargetSpoolsToDiskWithFlatMemoryAndTheSourceKeepsShake() => FrozenTargetAsync("CLIENT PAUSE WRITE");

    [Fact]
    [Trait(LongFault.Category, LongFault.Value)]
    public Task SleepingTargetSpoolsToDiskWithFlatMemoryAndTheSourceKeepsShake() => FrozenTargetAsync("DEBUG SLEEP");

    private static async Task FrozenTargetAsync(string how)
    {
        var seconds = FaultReport.Full ? (how == "DEBUG SLEEP" ? 15 : 30) : 8;
        await using var rig = await FaultRig.CreateAsync(advanced: "spool_memory_limit_mb = 1");
        await rig.StartLoadAsync(batch: 1000);
        var shake = rig.StartShake();
        await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        var replica = (await rig.Source.CliAsync("CLIENT", "LIST", "TYPE", "replica")).Trim();
        var rssBefore = shake.ResidentBytes();
        var writtenBefore = rig.Load!.Written;

        var freeze = how == "DEBUG SLEEP"
            ? rig.Target.CliAsync("DEBUG", "SLEEP", seconds.ToString())
            : rig.Target.CliAsync("CLIENT", "PAUSE", (seconds * 1000).ToString(), "WRITE");
        long spoolPeak = 0, rssPeak = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(seconds - 0.5))
        {
            spoolPeak = Math.Max(spoolPeak, SpoolFileBytes(rig.DataDirectory));
            rssPeak = Math.Max(rssPeak, shake.ResidentBytes());
            await Task.Delay(200);
        }
        await freeze;
        var streamed = rig.Load.Written - writtenBefore;
        var recovered = await rig.WaitForMarkerAsync(TimeSpan.FromSeconds(120));
        var keys = await rig.ConvergeAsync(TimeSpan.FromSeconds(60));

        // Kernel buffers and the target's query buffer take the first megabytes; what comes after must go to disk.
        Assert.True(spoolPeak > 0, $"the spool never went past its 1 MB of memory to disk ({streamed} commands written meanwhile)");
        Assert.True(rssPeak - rssBefore < 64 << 20, $"memory grew from {rssBefore >> 20} MB to {rssPeak >> 20} MB while the target was frozen");
        Assert.Equal(replica.Split(' ')[0], (await rig.Source.CliAsync("CLIENT", "LIST", "TYPE", "replica")).Trim().Split(' ')[0]);
        Assert.DoesNotContain("the sync stopped:", shake.Output);
        Assert.DoesNotContain("output buffer limits", rig.Source.ReadLogTail(200));
        FaultReport.Row($"frozen target ({how} {seconds} s)", "stream",
            $"equal, no reconnect; spool peak {spoolPeak / (1 << 20)} MB on disk, RSS {rssBefore >> 20}→{rssPeak >> 20} MB, source kept the replica", keys, recovered);
    }

    [Theory]
    [InlineData("CLIENT KILL TYPE replica", "stream")]
    [InlineData("output buffer limit", "stream")]
    public Task SourceDroppingShakeIsNoticedExplainedAndResynced(string how, string phase) => SourceDropsAsync(how, phase);

    [Fact]
    [Trait(LongFault.Category, LongFault.Value)]
    public Task SourceDroppingShakeDuringTheFullSyncIsResynced() => SourceDropsAsync("CLIENT KILL TYPE replica", "full sync");

    private static async Task SourceDropsAsync(string how, string phase)
    {
        // A small replica output-buffer limit and a long repl-timeout: only the limit can make the source drop Shake.
        await using var rig = await FaultRig.CreateAsync(sourceArgs: how == "output buffer limit" ? ["--client-output-buffer-limit", "replica 512kb 256kb 1", "--repl-timeout", "120"] : null);
        if (phase == "full sync") rig.SourceProxy.BytesPerSecond = 1 << 20;
        await rig.StartLoadAsync();
        var shake = rig.StartShake();
        if (phase == "full sync")
        {
            while (rig.SourceProxy.BytesToClient < 256 << 10) await Task.Delay(5);
            Assert.DoesNotContain("full sync done", shake.Output);
        }
        else
        {
            await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
            await Task.Delay(1000);
        }

        var watch = Stopwatch.StartNew();
        if (how == "output buffer limit")
        {
            rig.SourceProxy.Stall();
            while (!rig.Source.ReadLogTail(50).Contains("output buffer limits", StringComparison.Ordinal))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "the source did not drop the stalled replica on its output-buffer limit");
                await Task.Delay(100);
            }
            rig.SourceProxy.Heal();
        }
        else
        {
            await rig.Source.CliAsync("CLIENT", "KILL", "TYPE", "replica");
        }
        rig.SourceProxy.BytesPerSecond = 0;
        await shake.WaitForAsync("the sync stopped:", TimeSpan.FromSeconds(30));
        var stopped = shake.Output.Split('\n').First(l => l.Contains("the sync stopped:", StringComparison.Ordinal));
        Assert.True(stopped.Contains("closed the replication connection", StringComparison.Ordinal) || stopped.Contains("connection reset", StringComparison.OrdinalIgnoreCase), stopped);
        var recovered = await rig.WaitForMarkerAsync(TimeSpan.FromSeconds(120));
        var keys = await rig.ConvergeAsync(TimeSpan.FromSeconds(60));
        Assert.False(shake.HasExited, shake.AllText);
        FaultReport.Row($"source drops Shake ({how})", phase, rig.Outcome(), keys, watch.Elapsed);
        _ = recovered;
    }

    internal static long SpoolFileBytes(string dir)
    {
        var spool = Path.Combine(dir, "spool");
        if (!Directory.Exists(spool)) return 0;
        long total = 0;
        foreach (var file in Directory.EnumerateFiles(spool, "*", SearchOption.AllDirectories))
        {
            try { total += new FileInfo(file).Length; } catch (IOException) { }
        }
        return total;
    }
}
