using System.Diagnostics;
using Shake.Host.Commands;
using Shake.Testing;

namespace Shake.Host.Tests.Faults;

/// <summary>SIGKILL at random moments under write load, and a full disk under <c>dir</c>.</summary>
[Collection("faults")]
public sealed class CrashAndDiskFaultTests
{
    [Fact]
    public async Task SigkillAtRandomMomentsUnderWriteLoadEveryRestartEndsEqual()
    {
        await using var rig = await FaultRig.CreateAsync(populate: 10_000);
        await rig.StartLoadAsync();
        var random = new Random(Environment.GetEnvironmentVariable("SHAKE_FAULT_SEED") is { } seed ? int.Parse(seed) : 4242);
        var iterations = FaultReport.Iterations;
        long keys = 0;
        var recoveries = new List<double>();
        var phases = new List<string>();
        for (var i = 0; i < iterations; i++)
        {
            var shake = rig.StartShake();
            // 0-5 s after the start: in the handshake, the full sync or the stream.
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(5000)));
            phases.Add(shake.Output.Contains("full sync done", StringComparison.Ordinal) ? "stream" : "full sync");
            shake.Kill();
            Assert.False(File.Exists(Path.Combine(rig.DataDirectory, "resume-point")), "a SIGKILL left a resume point");

            var restarted = rig.StartShake();
            var recovered = await rig.WaitForMarkerAsync(TimeSpan.FromSeconds(120));
            recoveries.Add(recovered.TotalSeconds);
            keys = await rig.ConvergeAsync(TimeSpan.FromSeconds(60));
            Assert.False(restarted.HasExited, restarted.AllText);
            restarted.Kill();
        }
        FaultReport.Row($"SIGKILL × {iterations} under write load", $"{phases.Count(p => p == "full sync")} in full sync, {phases.Count(p => p == "stream")} in stream",
            $"every restart equal (full sync each time); recovery {recoveries.Min():F1}-{recoveries.Max():F1} s", keys, TimeSpan.FromSeconds(recoveries.Average()));
    }

    [Fact]
    public async Task FullDiskUnderDirStopsWithAClearErrorAndNoResumePoint()
    {
        if (!await CanMountTmpfsAsync()) return;
        await using var rig = await FaultRig.CreateAsync(advanced: "spool_memory_limit_mb = 1");
        await rig.StartLoadAsync();
        // shake runs in its own mount namespace where dir is a 4 MB tmpfs (the log file and the spool live there).
        var script = $"mount -t tmpfs -o size=4m tmpfs '{rig.DataDirectory}' && cd / && {ShakeProcess.Command(rig.ConfigPath)}; code=$?; " +
                     $"if [ -e '{rig.DataDirectory}/resume-point' ]; then echo \"resume-point: $(cat '{rig.DataDirectory}/resume-point' | tr '\\n' ' ')\"; else echo 'resume-point: none'; fi; exit $code";
        var shake = ShakeProcess.StartWrapped("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script);
        await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
        var watch = Stopwatch.StartNew();
        // The target stops taking writes: the stream piles up in the spool until the tmpfs is full.
        await rig.Target.CliAsync("CLIENT", "PAUSE", "60000", "WRITE");
        var code = await shake.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var stopped = watch.Elapsed;
        await rig.Target.CliAsync("CLIENT", "UNPAUSE");

        Assert.True(code == ExitCodes.Failed, shake.AllText);
        Assert.Contains("could not write the disk spool", shake.Error);
        Assert.Contains("No space left on device", shake.Error);
        Assert.Contains("resume-point: none", shake.Output);
        Assert.DoesNotContain("the sync stopped:", shake.Output);

        // With room again (dir on the normal disk), the next run syncs everything.
        var next = rig.StartShake();
        var recovered = await rig.WaitForMarkerAsync(TimeSpan.FromSeconds(120));
        var keys = await rig.ConvergeAsync(TimeSpan.FromSeconds(60));
        Assert.False(next.HasExited, next.AllText);
        FaultReport.Row("full disk under dir (4 MB tmpfs, target paused)", "stream",
            $"exit 4 after {stopped.TotalSeconds:F1} s: \"could not write the disk spool … No space left on device\", no resume point; next run equal (full sync)", keys, recovered);
    }

    private static async Task<bool> CanMountTmpfsAsync()
    {
        var info = new ProcessStartInfo("unshare", ["--user", "--map-root-user", "--mount", "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs \"$d\""])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(info)!;
            await process.WaitForExitAsync();
            if (process.ExitCode == 0) return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
        Console.WriteLine("skipped: this machine allows no unprivileged mount namespace (unshare --user --mount), so no tmpfs can be mounted under dir");
        return false;
    }
}
