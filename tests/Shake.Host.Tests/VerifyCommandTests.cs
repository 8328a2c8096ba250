using System.Text.Json;
using Shake.Host.Commands;
using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Host.Tests;

public class VerifyCommandTests
{
    private static string V4(string source, string target, bool sourceCluster = false, bool targetCluster = false) => $"""
        [sync_reader]
        address = "{source}"
        cluster = {(sourceCluster ? "true" : "false")}

        [redis_writer]
        address = "{target}"
        cluster = {(targetCluster ? "true" : "false")}
        """;

    private static async Task RunAsync(string address, int db, params string[][] commands)
    {
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = address, Database = db });
        foreach (var command in commands) (await connection.ExecuteAsync(command, CancellationToken.None)).ThrowIfError(address, command[0]);
    }

    private static string[][] Data =>
    [
        ["SET", "s", "v"], ["HSET", "h", "a", "1", "b", "2"], ["RPUSH", "l", "x", "y"], ["SADD", "set", "m"], ["ZADD", "z", "1", "m"],
        ["SET", "ttl", "v", "PX", "600000"],
    ];

    [Fact]
    public async Task EqualSidesExitZeroWithAnEmptyReport()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await RunAsync(source.Address, 0, Data);
        await RunAsync(target.Address, 0, Data);
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4(source.Address, target.Address));
        var report = Path.Combine(dir.Path, "report.jsonl");

        var (code, output, error) = await ShakeRunner.RunAsync("verify", config, "--report", report);

        Assert.True(code == ExitCodes.Success, output + error);
        Assert.Contains("RESULT: EQUAL", output);
        Assert.Contains("keys compared:           6 ", output);
        Assert.Equal("", File.ReadAllText(report));
    }

    [Fact]
    public async Task DifferencesExitFiveAndAreListedAsJsonLines()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await RunAsync(source.Address, 0, Data);
        await RunAsync(target.Address, 0, Data);
        await RunAsync(target.Address, 0, ["DEL", "s"], ["HSET", "h", "c", "3"], ["PERSIST", "ttl"], ["SET", "extra", "x"], ["DEL", "l"], ["SADD", "l", "x"]);
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4(source.Address, target.Address));
        var report = Path.Combine(dir.Path, "report.jsonl");

        var (code, output, error) = await ShakeRunner.RunAsync("verify", config, "--report", report, "--rounds", "1", "--delay", "0.05");

        Assert.True(code == ExitCodes.DifferencesFound, output + error);
        Assert.Contains("RESULT: DIFFERENT (5 keys)", output);
        Assert.Contains("missing on target:       1", output);
        Assert.Contains("extra on target:         1", output);
        Assert.Contains("different type:          1", output);
        Assert.Contains("different value:         1", output);
        Assert.Contains("different ttl:           1", output);
        var lines = File.ReadAllLines(report).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["extra:extra", "h:value", "l:type", "s:missing", "ttl:ttl"], lines.Select(l => $"{l.GetProperty("key").GetString()}:{l.GetProperty("kind").GetString()}").Order());
        var hash = lines.Single(l => l.GetProperty("key").GetString() == "h");
        Assert.Equal(0, hash.GetProperty("db").GetInt32());
        Assert.Equal("hash", hash.GetProperty("source").GetProperty("type").GetString());
        Assert.Equal(2, hash.GetProperty("source").GetProperty("length").GetInt64());
        Assert.Equal(3, hash.GetProperty("target").GetProperty("length").GetInt64());
        var ttl = lines.Single(l => l.GetProperty("key").GetString() == "ttl");
        Assert.InRange(ttl.GetProperty("source").GetProperty("ttl_ms").GetInt64(), 500_000, 600_000);
        Assert.Equal(-1, ttl.GetProperty("target").GetProperty("ttl_ms").GetInt64());
        var missing = lines.Single(l => l.GetProperty("key").GetString() == "s");
        Assert.Equal("none", missing.GetProperty("target").GetProperty("type").GetString());
        Assert.Equal(-2, missing.GetProperty("target").GetProperty("ttl_ms").GetInt64());
    }

    [Fact]
    public async Task ALuaFilterThatRedirectsDatabasesIsFollowed()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await RunAsync(source.Address, 1, Data);
        await RunAsync(source.Address, 0, ["SET", "dropped", "x"]);
        await RunAsync(target.Address, 5, Data);
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4(source.Address, target.Address));
        var script = dir.Write("filter.lua", """
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if db_id == 1 then return 0, 5 end
                return 1, db_id
            end
            """);
        var report = Path.Combine(dir.Path, "report.jsonl");

        var (code, output, error) = await ShakeRunner.RunAsync("verify", config, script, "--report", report);
        Assert.True(code == ExitCodes.Success, output + error);
        Assert.Contains("not carried (filters):   1", output);

        await RunAsync(target.Address, 5, ["DEL", "z"]);
        (code, output, error) = await ShakeRunner.RunAsync("verify", config, script, "--report", report, "--rounds", "0");
        Assert.True(code == ExitCodes.DifferencesFound, output + error);
        var line = JsonDocument.Parse(File.ReadAllLines(report).Single()).RootElement;
        Assert.Equal((1, 5, "z", "missing"), (line.GetProperty("db").GetInt32(), line.GetProperty("target_db").GetInt32(), line.GetProperty("key").GetString(), line.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task AV3ClusterTargetIsVerifiedKeyByKeyOnItsMasters()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        await RunAsync(source.Address, 0, ["SET", "only-on-source", "x"]);
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", $"""
            type = "sync"
            [source]
            address = "{source.Address}"
            [target]
            type = "cluster"
            address = "{target.SeedAddress}"
            """);

        var (code, output, error) = await ShakeRunner.RunAsync("verify", config, "--report", Path.Combine(dir.Path, "r.jsonl"), "--rounds", "0");

        Assert.True(code == ExitCodes.DifferencesFound, output + error);
        Assert.Contains("target cluster of 3 masters", output);
        Assert.Contains("missing on target:       1", output);
    }

    [Fact]
    public async Task AVerifyDuringARunningSyncReportsNothingOnceTheTargetCaughtUp()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "20000", "key", "10");
        var config = dir.Write("sync.toml", V4(source.Address, target.Address) + $"\n[advanced]\ndir = \"{dir.Path}\"\n");
        using var stop = new CancellationTokenSource();
        var sync = Shake.Host.Commands.ShakeCommandLine.Create().Parse([config])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() }, stop.Token);
        var writes = Task.Run(async () =>
        {
            await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = source.Address });
            for (var i = 0; i < 300; i++)
            {
                await connection.ExecuteAsync(["HSET", $"live:{i % 50}", "n", i.ToString()], CancellationToken.None);
                await connection.ExecuteAsync(["SET", $"key:{i}", $"rewritten {i}"], CancellationToken.None);
                await Task.Delay(5);
            }
        });
        try
        {
            var (code, output, error) = await ShakeRunner.RunAsync("verify", config, "--report", Path.Combine(dir.Path, "r.jsonl"), "--rounds", "20", "--delay", "0.5");
            await writes;
            Assert.True(code == ExitCodes.Success, output + error);
            Assert.Contains("RESULT: EQUAL", output);
        }
        finally
        {
            stop.Cancel();
            await sync;
        }
    }

    [Fact]
    public async Task AV4ClusterSourceIsReadFromEveryMaster()
    {
        await using var source = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        await using var target = await RedisServer.StartAsync();
        // Keys spread over the three masters by their hash tags.
        foreach (var node in source.Nodes)
        {
            var owns = await OwnerAsync(node);
            await RunAsync(node.Address, 0, [.. Enumerable.Range(0, 2000).Select(i => $"{{t{i}}}k").Where(owns).Take(5).Select(k => new[] { "SET", k, "v" })]);
        }
        await RunAsync(target.Address, 0, [.. (await AllKeysAsync(source)).Select(k => new[] { "SET", k, "v" })]);
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4(source.SeedAddress, target.Address, sourceCluster: true));

        var (code, output, error) = await ShakeRunner.RunAsync("verify", config, "--report", Path.Combine(dir.Path, "r.jsonl"));

        Assert.True(code == ExitCodes.Success, output + error);
        Assert.Contains("source cluster of 3 masters", output);
        Assert.Contains("keys compared:           15 ", output);
    }

    // The slot ranges a master serves, from its own line of CLUSTER NODES.
    private static async Task<Func<string, bool>> OwnerAsync(RedisServer node)
    {
        var myself = (await node.CliAsync("CLUSTER", "MYID")).Trim();
        var line = (await node.CliAsync("CLUSTER", "NODES")).Split('\n').Single(l => l.StartsWith(myself, StringComparison.Ordinal));
        var ranges = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(8).Select(r => r.Split('-')).Select(r => (Start: int.Parse(r[0]), End: int.Parse(r[^1]))).ToList();
        return key =>
        {
            var slot = Shake.Core.Routing.ClusterSlot.Of(System.Text.Encoding.UTF8.GetBytes(key));
            return ranges.Any(r => slot >= r.Start && slot <= r.End);
        };
    }

    private static async Task<List<string>> AllKeysAsync(RedisCluster cluster)
    {
        var keys = new List<string>();
        foreach (var node in cluster.Nodes)
            keys.AddRange((await node.CliAsync("--scan")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return keys;
    }

    [Fact]
    public async Task AFileReaderIsRefused()
    {
        using var dir = new TempDir();
        var config = dir.Write("restore.toml", "[rdb_reader]\nfilepath = \"dump.rdb\"\n[redis_writer]\naddress = \"127.0.0.1:1\"\n");

        var (code, _, error) = await ShakeRunner.RunAsync("verify", config);

        Assert.Equal(ExitCodes.NotImplemented, code);
        Assert.Contains("reads from a file", error);
    }

    [Fact]
    public async Task AnUnreachableSideIsAFailedCheck()
    {
        using var dir = new TempDir();
        var config = dir.Write("shake.toml", V4($"127.0.0.1:{FreePort.Next()}", $"127.0.0.1:{FreePort.Next()}"));

        var (code, _, error) = await ShakeRunner.RunAsync("verify", config);

        Assert.Equal(ExitCodes.CheckFailed, code);
        Assert.Contains("verify failed: could not connect", error);
    }

    [Theory]
    [InlineData("--sample", "10", "--percent", "5", "exclude each other")]
    [InlineData("--percent", "120", "--rounds", "1", "--percent must be in (0, 100]")]
    [InlineData("--rate", "-1", "--rounds", "1", "--rate must be 0")]
    public async Task ContradictoryOptionsAreRefused(string a, string b, string c, string d, string message)
    {
        var (code, _, error) = await ShakeRunner.RunAsync("verify", "any.toml", a, b, c, d);
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Contains(message, error);
    }
}
