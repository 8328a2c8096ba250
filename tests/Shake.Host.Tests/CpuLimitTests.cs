using System.Diagnostics;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary><c>advanced.ncpu</c> pins the shake process to that many CPUs (checked in a child process, not the test host).</summary>
public class CpuLimitTests
{
    [Fact]
    public async Task NcpuOnePinsTheProcessToOneCpuAndTheRestoreStillCompletes()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "2000", "key", "10");
        await source.CliAsync("SAVE");
        var config = dir.Write("restore.toml", $"""
            [rdb_reader]
            filepath = "{Path.Combine(source.Directory, "dump.rdb")}"
            [redis_writer]
            address = "{target.Address}"
            [advanced]
            dir = "{dir.Path}"
            ncpu = 1
            """);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "shake.dll"));
        info.ArgumentList.Add(config);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
        var output = await stdout;
        Assert.True(process.ExitCode == 0, await stderr + output);
        if (Environment.ProcessorCount > 1)
            Assert.Contains($"ncpu = 1: running on 1 of {Environment.ProcessorCount} CPUs", output);
        else
            Assert.Contains("ncpu = 1: using all 1 CPUs", output);
        Assert.Contains("restore finished: keys restored=2000", output);
        Assert.Equal("2000", (await target.CliAsync("DBSIZE")).Trim());
    }
}
