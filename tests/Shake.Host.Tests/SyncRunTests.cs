using System.CommandLine;
using System.Diagnostics;
using Shake.Host.Commands;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>The <c>shake</c> command running the engine against real servers.</summary>
public class SyncRunTests
{
    private static string V4Sync(RedisServer source, RedisServer target, string dir, string extra = "") => $"""
        [sync_reader]
        address = "{source.Address}"
        [redis_writer]
        address = "{target.Address}"
        [advanced]
        dir = "{dir}"
        log_interval = 1
        rdb_restore_command_behavior = "rewrite"
        {extra}
        """;

    // Data keys: a sync also keeps its checkpoint and the checkpoint index in the target.
    internal static async Task<long> DbSize(RedisServer server) =>
        long.Parse((await server.CliAsync("DBSIZE")).Trim()) - (await server.CliAsync("KEYS", "shake-checkpoint*")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>A source whose <c>keys</c> keys are saved to its dump.rdb, an empty target, and a restore config between them.</summary>
    private static async Task<(RedisServer Source, RedisServer Target, string Config)> RestoreSetupAsync(TempDir dir, int keys, string extraAdvanced = "")
    {
        var source = await RedisServer.StartAsync();
        var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", keys.ToString(), "key", "10");
        await source.CliAsync("SAVE");
        var config = dir.Write("restore.toml", $"""
            [rdb_reader]
            filepath = "{Path.Combine(source.Directory, "dump.rdb")}"
            [redis_writer]
            address = "{target.Address}"
            [advanced]
            dir = "{dir.Path}"
            {extraAdvanced}
            """);
        return (source, target, config);
    }

    [Fact]
    public async Task RestoreModeSendsTheFileAndExitsZeroWithASummary()
    {
        using var dir = new TempDir();
        var (source, target, config) = await RestoreSetupAsync(dir, 3000);
        await using var _ = source;
        await using var __ = target;
        var (code, output, error) = await ShakeRunner.RunAsync(config);
        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Contains("restore finished: keys applied=3000", output);
        Assert.Equal(3000, await DbSize(target));
        Assert.True(File.Exists(Path.Combine(dir.Path, "shake.log")));
    }

    [Fact]
    public async Task NcpuOnePinsTheExecutableToOneCpuAndTheRestoreStillCompletes()
    {
        // A child process: pinning the test host itself would slow every other test.
        using var dir = new TempDir();
        var (source, target, config) = await RestoreSetupAsync(dir, 2000, "ncpu = 1");
        await using var _ = source;
        await using var __ = target;
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
        Assert.Contains(Environment.ProcessorCount > 1 ? $"ncpu = 1: running on 1 of {Environment.ProcessorCount} CPUs" : "ncpu = 1: using all 1 CPUs", output);
        Assert.Contains("restore finished: keys applied=2000", output);
        Assert.Equal(2000, await DbSize(target));
    }

    [Fact]
    public async Task SyncRunsUntilCancelledThenExitsZero()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "2000", "key", "10");
        var config = dir.Write("sync.toml", V4Sync(source, target, dir.Path));
        var output = new StringWriter();
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = ShakeCommandLine.Create().Parse([config]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, stop.Token);
        await WaitForAsync(async () => await DbSize(target) == 2000, TimeSpan.FromSeconds(30), "the full sync");
        await source.CliAsync("SET", "live", "1");
        await WaitForAsync(async () => (await target.CliAsync("GET", "live")).Trim() == "1", TimeSpan.FromSeconds(30), "the stream");
        stop.Cancel();
        var code = await run;
        Assert.True(code == ExitCodes.Success, error.ToString());
        Assert.Contains("finished:", File.ReadAllText(Path.Combine(dir.Path, "shake.log")));
    }

    [Fact]
    public async Task AnUnreachableTargetIsOneClearErrorLineAndANonZeroExit()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync();
        var config = dir.Write("sync.toml", $"""
            [sync_reader]
            address = "{source.Address}"
            [redis_writer]
            address = "127.0.0.1:{FreePort.Next()}"
            [advanced]
            dir = "{dir.Path}"
            """);
        var (code, _, error) = await ShakeRunner.RunAsync(config);
        Assert.Equal(ExitCodes.Failed, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("shake: error:", line);
        Assert.Contains("127.0.0.1:", line);
    }

    [Fact]
    public async Task SigtermStopsTheExecutableCleanlyWithExitZero()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "1000", "key", "10");
        var config = dir.Write("sync.toml", V4Sync(source, target, dir.Path));
        var exe = Path.Combine(AppContext.BaseDirectory, "shake.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(exe);
        info.ArgumentList.Add(config);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await WaitForAsync(async () => await DbSize(target) == 1000, TimeSpan.FromSeconds(30), "the full sync");
            await WaitForAsync(() => Task.FromResult(File.Exists(Path.Combine(dir.Path, "shake.log")) && File.ReadAllText(Path.Combine(dir.Path, "shake.log")).Contains("[syncing aof]")), TimeSpan.FromSeconds(30), "the incremental phase");
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, await stderr + await stdout);
            Assert.Contains("received SIGTERM; stopping", await stdout);
            Assert.Contains("finished:", await stdout);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }
}
