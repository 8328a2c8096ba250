using System.Text.RegularExpressions;
using Shake.Core.Engine;
using Shake.Host.Running.Terminal;
using Shake.Host.Tests.Packaging;
using Shake.Testing;

namespace Shake.Host.Tests.Terminal;

/// <summary>
/// The live view in a real pseudo-terminal (<c>script</c>), and plain lines when standard output is a pipe: the same
/// restore, slowed by pausing the target's writes so the RDB phase lasts long enough to be drawn.
/// </summary>
/// <remarks>
/// The pause begins before shake starts, and the status line comes once a second: 1.5 s once left a run with no
/// status line at all (process start-up and the file's validation took the rest), so the pause covers several.
/// </remarks>
public class TerminalViewTests
{
    private static readonly Regex LogLine = new(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (DBG|INF|WRN|ERR) ");
    private const string PauseMilliseconds = "3500";

    [Fact]
    public void FiguresShowBytesOfTotalPercentageEtaKeysPerSecondAndLag()
    {
        var reading = new EngineReading(EnginePhase.FullSync, 4L << 20, 16L << 20, 2L << 20, 120_000, 45_000.4, 0, 0, 0, 512);
        Assert.Equal("4.0MiB/16.0MiB 25% ETA 00:06 | 120,000 keys 45,000 keys/s | lag 512B", EngineFiguresColumn.Describe(reading));
        var diskless = reading with { RdbTotal = -1 };
        Assert.Contains("(diskless) ETA --:--", EngineFiguresColumn.Describe(diskless));
        var streaming = reading with { Phase = EnginePhase.Incremental, CommandsPerSecond = 1234 };
        Assert.Equal("rdb 4.0MiB done | 120,000 keys 45,000 keys/s | 1,234 ops/s | lag 512B", EngineFiguresColumn.Describe(streaming));
    }

    [PseudoTerminalFact]
    public async Task InATerminalARestoreDrawsALiveBarWithEtaAndKeysPerSecond()
    {
        using var dir = new TempDir();
        var (source, target, config) = await SetupAsync(dir);
        await using var _ = source;
        await using var __ = target;
        await target.CliAsync("CLIENT", "PAUSE", PauseMilliseconds, "WRITE");
        var command = $"dotnet '{Path.Combine(AppContext.BaseDirectory, "shake.dll")}' '{config}'";
        var (code, output, error) = await ChildProcess.RunAsync("script", ["-qfec", command, "/dev/null"], TimeSpan.FromSeconds(120),
            environment: new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["COLUMNS"] = "120", ["LINES"] = "40" });
        Assert.True(code == 0, error + output);
        Assert.Contains("\u001b[", output);
        Assert.Contains("syncing rdb", output);
        Assert.Matches(@"/\d+\.\dMiB \d+% ETA (--:--|\d\d:\d\d)", output);
        Assert.Contains("keys/s", output);
        Assert.Matches(@"rdb \d+\.\dMiB done \| 100,000 keys", output);
        Assert.Contains("restore finished: keys applied=100000", output);
        // The periodic status line is in the log file only; the bar shows the same figures.
        Assert.DoesNotContain("[syncing rdb] rdb=", output);
        Assert.Contains("[syncing rdb] rdb=", File.ReadAllText(Path.Combine(dir.Path, "shake.log")));
    }

    [Fact]
    public async Task WithStandardOutputAPipeOnlyPlainLogLinesAppear()
    {
        using var dir = new TempDir();
        var (source, target, config) = await SetupAsync(dir);
        await using var _ = source;
        await using var __ = target;
        await target.CliAsync("CLIENT", "PAUSE", PauseMilliseconds, "WRITE");
        var (code, output, error) = await ChildProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "shake.dll"), config], TimeSpan.FromSeconds(120),
            environment: new Dictionary<string, string?> { ["TERM"] = "xterm-256color" });
        Assert.True(code == 0, error + output);
        Assert.DoesNotContain('\u001b', output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines.SkipLast(1), line => Assert.Matches(LogLine, line));
        Assert.StartsWith("shake: restore finished: keys applied=100000", lines[^1]);
        Assert.Contains(lines, line => line.Contains("[syncing rdb] rdb="));
    }

    private static async Task<(RedisServer Source, RedisServer Target, string Config)> SetupAsync(TempDir dir)
    {
        var source = await RedisServer.StartAsync();
        var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "100000", "key", "32");
        await source.CliAsync("SAVE");
        var config = dir.Write("restore.toml", $"""
            [rdb_reader]
            filepath = "{Path.Combine(source.Directory, "dump.rdb")}"
            [redis_writer]
            address = "{target.Address}"
            [advanced]
            dir = "{dir.Path}"
            log_interval = 1
            rdb_restore_command_behavior = "rewrite"
            """);
        return (source, target, config);
    }
}

/// <summary>A fact that needs util-linux <c>script</c> to give the program a pseudo-terminal; skipped with the reason when it is missing.</summary>
public sealed class PseudoTerminalFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <c>script</c> is not on PATH.</summary>
    public PseudoTerminalFactAttribute()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "script")));
        if (!onPath) Skip = "skipped: util-linux 'script' (it runs shake in a pseudo-terminal) is not on PATH; apt-get install bsdutils";
    }
}
