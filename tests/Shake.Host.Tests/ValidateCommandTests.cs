using Shake.Host.Commands;
using Shake.Testing;

namespace Shake.Host.Tests;

public class ValidateCommandTests
{
    private static string SeedPath => SharedAssets.PathOf("design", "sync.toml")!;

    private static string V4Config(string source, string target, string sourcePassword = "", string targetPassword = "") => $"""
        [sync_reader]
        address = "{source}"
        password = "{sourcePassword}"

        [redis_writer]
        address = "{target}"
        password = "{targetPassword}"
        """;

    [SharedFact]
    public async Task OfflineValidationOfTheSeedPrintsTheEffectiveConfigWithPasswordsRedacted()
    {
        var (code, output, error) = await ShakeRunner.RunAsync("validate", "--offline", SeedPath);
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("password = \"***\"", output);
        Assert.DoesNotContain("3wPxzWffdn", output + error);
        Assert.DoesNotContain("Aa123456", output + error);
        Assert.Contains("[sync_reader]", output);
        Assert.Contains("address = \"10.233.109.145:6379\"", output);
        Assert.Contains("cluster = true", output);
        Assert.Contains("rdb_restore_command_behavior = \"rewrite\"", output);
        Assert.Contains("connectivity not checked", output);
    }

    [SharedFact]
    public async Task OfflineValidationOfTheSeedPrintsWhatRunsWithDerivedValuesMarked()
    {
        var (code, output, error) = await ShakeRunner.RunAsync("validate", "--offline", SeedPath);
        Assert.True(code == ExitCodes.Success, error);
        var lines = output.Split('\n');
        // The engine accepts diskless transfers for every v3 file: the printout says so, and says it is derived.
        var diskless = Array.IndexOf(lines, "try_diskless = true");
        Assert.True(diskless > 0, output);
        Assert.StartsWith("# derived: a v3 file has no try_diskless", lines[diskless - 1]);
        Assert.DoesNotContain("try_diskless = false", output);
        var cluster = Array.IndexOf(lines, "address = \"10.233.103.2:6379\"");
        Assert.Equal("cluster = true", lines[cluster - 1]);
        Assert.Equal("# derived: cluster = true from [target] type = \"cluster\"", lines[cluster - 2]);
        Assert.Contains("# derived: the source is one server: this process follows 10.233.109.145:6379 only", output);
        Assert.Contains("# derived: the process is pinned to 4 CPUs", output);
        Assert.Contains("status_address = \"127.0.0.1\"", output);
        Assert.Contains("# derived: the log is written to data/redis-shake.log", output);
    }

    [ValkeyFact]
    public async Task OnlineValidationSaysAValkey8SnapshotIsConvertedForARedis7Target()
    {
        await using var source = await RedisServer.StartAsync(serverPath: RedisBinaries.ValkeyServer);
        await using var target = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4Config(source.Address, target.Address));

        var (code, output, error) = await ShakeRunner.RunAsync("validate", config);
        Assert.True(code == ExitCodes.Success, output + error);
        Assert.Matches($@"# derived: target {target.Address}: redis 7\.0\.\d+, RDB 10, 16 databases, proto-max-bulk-len 536870912", output);
        Assert.Contains("# derived: bulk limit used: 512000000 bytes (target_redis_proto_max_bulk_len)", output);
        Assert.Matches($@"# derived: source {source.Address}: valkey 8\.0\.\d+ sends RDB 11, newer than the target's RDB 10: every key of the snapshot is written as plain commands \(converted\)", output);
        Assert.Contains("# all checks passed", output);
    }

    [SharedFact]
    public async Task OnlineValidationNamesTheUnreachableAddresses()
    {
        using var dir = new TempDir();
        var sourcePort = FreePort.Next();
        var targetPort = FreePort.Next();
        var text = File.ReadAllText(SeedPath)
            .Replace("10.233.109.145:6379", $"127.0.0.1:{sourcePort}")
            .Replace("10.233.103.2:6379", $"127.0.0.1:{targetPort}");
        // Never dial the seed's own addresses: they belong to another network.
        Assert.DoesNotContain("10.233", text);
        var config = dir.Write("sync.toml", text);

        var (code, output, _) = await ShakeRunner.RunAsync("validate", config);
        Assert.Equal(ExitCodes.CheckFailed, code);
        Assert.Contains($"source 127.0.0.1:{sourcePort}: UNREACHABLE", output);
        Assert.Contains($"target 127.0.0.1:{targetPort}: UNREACHABLE", output);
        Assert.Contains("some checks failed", output);
    }

    [Fact]
    public async Task OnlineValidationAgainstRealServersPrintsTheirVersions()
    {
        await using var source = await RedisServer.StartAsync(["--requirepass", "src-secret"]);
        await using var target = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4Config(source.Address, target.Address, sourcePassword: "src-secret"));

        var (code, output, error) = await ShakeRunner.RunAsync("validate", config);
        Assert.True(code == ExitCodes.Success, output + error);
        Assert.Matches($@"# source {source.Address}: ok: Redis \d+\.\d+\.\d+ \(standalone\)", output);
        Assert.Matches($@"# target {target.Address}: ok: Redis \d+\.\d+\.\d+ \(standalone\)", output);
        Assert.DoesNotContain("src-secret", output + error);
        Assert.Contains("all checks passed", output);
    }

    [Fact]
    public async Task WrongPasswordIsNamedAsAnAuthenticationFailure()
    {
        await using var server = await RedisServer.StartAsync(["--requirepass", "right"]);
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4Config(server.Address, server.Address, sourcePassword: "wrong"));

        var (code, output, _) = await ShakeRunner.RunAsync("validate", config);
        Assert.Equal(ExitCodes.CheckFailed, code);
        Assert.Contains($"source {server.Address}: AUTH FAILED: authentication failed: WRONGPASS", output);
        // The target has no password configured, but the server wants one.
        Assert.Contains($"target {server.Address}: AUTH FAILED", output);
        Assert.Contains("NOAUTH", output);
    }

    [Fact]
    public async Task AclUserAndPasswordAreUsed()
    {
        await using var server = await RedisServer.StartAsync();
        await server.CliAsync("ACL", "SETUSER", "shake", "on", ">pw", "~*", "+@all");
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4Config(server.Address, server.Address, "pw", "pw").Replace("password =", "username = \"shake\"\npassword ="));

        var (code, output, error) = await ShakeRunner.RunAsync("validate", config);
        Assert.True(code == ExitCodes.Success, output + error);
    }

    [Fact]
    public async Task ClusterConfiguredAgainstAStandaloneServerIsAMismatch()
    {
        await using var server = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4Config(server.Address, server.Address).Replace("[redis_writer]", "[redis_writer]\ncluster = true"));

        var (code, output, _) = await ShakeRunner.RunAsync("validate", config);
        Assert.Equal(ExitCodes.CheckFailed, code);
        Assert.Contains($"# source {server.Address}: ok", output);
        Assert.Contains($"# target {server.Address}: MISMATCH: configured as a cluster, but the server runs in standalone mode", output);
    }

    [Fact]
    public async Task RestoreConfigChecksTheRdbFile()
    {
        await using var target = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var rdb = Path.Combine(dir.Path, "missing.rdb");
        var config = dir.Write("restore.toml", $"[rdb_reader]\nfilepath = \"{rdb}\"\n[redis_writer]\naddress = \"{target.Address}\"\n");

        var (code, output, _) = await ShakeRunner.RunAsync("validate", config);
        Assert.Equal(ExitCodes.CheckFailed, code);
        Assert.Contains($"source file {rdb}: NOT FOUND", output);
        Assert.Contains($"target {target.Address}: ok", output);
    }

    [Fact]
    public async Task ConfigErrorsAreListedWithLinesAndExitTwo()
    {
        using var dir = new TempDir();
        var config = dir.Write("bad.toml", "type = \"sync\"\n[source]\naddress = \"127.0.0.1\"\n[target]\naddress = \"127.0.0.1:1\"\n[advanced]\nlog_level = \"loud\"\n");

        var (code, output, error) = await ShakeRunner.RunAsync("validate", "--offline", config);
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Equal("", output);
        Assert.Contains("2 configuration errors", error);
        Assert.Contains("line 3: source.address", error);
        Assert.Contains("line 7: advanced.log_level", error);
        Assert.Contains("\"debug\", \"info\", \"warn\"", error);
    }

    [Fact]
    public async Task TimeoutMustBePositive()
    {
        var (code, _, error) = await ShakeRunner.RunAsync("validate", "--timeout", "0", "any.toml");
        Assert.NotEqual(ExitCodes.Success, code);
        Assert.Contains("--timeout must be a positive number of seconds", error);
    }

    [Fact]
    public async Task MissingFileIsAConfigError()
    {
        var (code, _, error) = await ShakeRunner.RunAsync("validate", "--offline", "/nonexistent/shake.toml");
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Contains("does not exist", error);
    }
}
