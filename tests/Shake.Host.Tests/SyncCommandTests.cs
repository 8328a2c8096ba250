using Shake.Host.Commands;
using Shake.Testing;

namespace Shake.Host.Tests;

public class SyncCommandTests
{
    [SharedFact]
    public void TheSeedConfigIsAcceptedAsARunnableClusterSync()
    {
        // Checked without running it: the seed file points at another network's addresses, which are never dialed
        // (SeedConfigTests runs a loopback copy of it).
        var loaded = Shake.Core.Configuration.ShakeConfigLoader.Load(SharedAssets.PathOf("design", "sync.toml")!);
        var options = Running.EngineOptionsFactory.TryCreate(loaded.Config, out var unsupported);
        Assert.True(options is not null, unsupported);
        Assert.True(loaded.Config.Writer.Target.Cluster);
        Assert.False(loaded.Config.Source!.Cluster);
    }

    [Fact]
    public async Task ConfigErrorsComeBeforeTheNotImplementedMessage()
    {
        using var dir = new TempDir();
        var config = dir.Write("bad.toml", "[sync_reader]\naddress = \"127.0.0.1:6379\"\n[redis_writer]\naddress = \"127.0.0.1:6380\"\n[advanced]\npipeline_count_limit = \"many\"\n");
        var (code, _, error) = await ShakeRunner.RunAsync(config);
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Contains("line 6: advanced.pipeline_count_limit", error);
        Assert.DoesNotContain("not implemented yet", error);
        Assert.DoesNotContain("connect", error);
    }

    [Fact]
    public async Task SyntaxErrorsNameLineAndColumn()
    {
        using var dir = new TempDir();
        var config = dir.Write("broken.toml", "[sync_reader\naddress = 1\n");
        var (code, _, error) = await ShakeRunner.RunAsync(config);
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Contains("line 1: (TOML syntax): column 13", error);
    }

    [Fact]
    public async Task MissingFilterScriptIsAnError()
    {
        using var dir = new TempDir();
        var config = dir.Write("ok.toml", "[sync_reader]\naddress = \"127.0.0.1:6379\"\n[redis_writer]\naddress = \"127.0.0.1:6380\"\n");
        var (code, _, error) = await ShakeRunner.RunAsync(config, Path.Combine(dir.Path, "filter.lua"));
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Contains("filter.lua does not exist", error);
    }

    [Fact]
    public async Task NoArgumentsIsAUsageError()
    {
        var (code, _, error) = await ShakeRunner.RunAsync();
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Contains("usage: shake <config.toml> [filter.lua]", error);
    }

    [Fact]
    public async Task VersionAndHelpWork()
    {
        var version = await ShakeRunner.RunAsync("--version");
        Assert.Equal(0, version.Code);
        // Release, commit and runtime; in-process the command line runs under the JIT.
        Assert.Matches(@"^0\.1\.0 \(commit ([0-9a-f]{12}|unknown), \.NET \d+\.\d+\.\d+[^,]*, JIT, [a-z]+-[a-z0-9]+\)$", version.Output.Trim());
        var help = await ShakeRunner.RunAsync("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("validate", help.Output);
        Assert.Contains("<config>", help.Output);
        var validateHelp = await ShakeRunner.RunAsync("validate", "--help");
        Assert.Contains("--offline", validateHelp.Output);
    }
}
