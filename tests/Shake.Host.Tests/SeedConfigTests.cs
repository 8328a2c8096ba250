using System.CommandLine;
using System.Text.RegularExpressions;
using Shake.Host.Commands;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>
/// The deployment guide's own <c>sync.toml</c> (one redis-shake v3 process per source leader into a target cluster),
/// with only its addresses replaced by loopback ones, against real clusters that use the guide's passwords.
/// </summary>
public class SeedConfigTests
{
    private const string SourcePassword = "3wPxzWffdn";
    private const string TargetPassword = "Aa123456";

    [SharedFact]
    public async Task TheGuidesSyncTomlRunsAndThreeProcessesOneForEachLeaderCoverTheCluster()
    {
        var seed = File.ReadAllText(SharedAssets.PathOf("design", "sync.toml")!);
        await using var source = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        await using var target = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        // The guide's servers require passwords: set them once the clusters are formed.
        foreach (var node in source.Nodes) await node.CliAsync("CONFIG", "SET", "requirepass", SourcePassword);
        foreach (var node in target.Nodes) await node.CliAsync("CONFIG", "SET", "requirepass", TargetPassword);
        await using var writer = await ClusterTestClient.ConnectAsync(source.SeedAddress, password: SourcePassword);
        for (var i = 0; i < 3000; i++) await writer.ExecuteAsync("SET", $"key:{i}", $"value:{i}");

        using var dirs = new TempDir();
        var leaders = source.Nodes.Select(n => n.Address).ToList();
        var runs = new List<(Task<int> Run, StringWriter Error, CancellationTokenSource Stop)>();
        var cwdData = Path.Combine(Directory.GetCurrentDirectory(), "data");
        var hadData = Directory.Exists(cwdData);
        try
        {
            for (var i = 0; i < leaders.Count; i++)
            {
                // Only the addresses change (the first process keeps even the guide's relative dir; the others need their own).
                var text = Regex.Replace(seed, @"address = ""10\.233\.109\.145:6379""", $"address = \"{leaders[i]}\"");
                text = Regex.Replace(text, @"address = ""10\.233\.103\.2:6379""", $"address = \"{target.SeedAddress}\"");
                Assert.DoesNotContain("10.233.", text);
                if (i > 0) text = text.Replace("dir = \"data\"", $"dir = \"{Path.Combine(dirs.Path, i.ToString())}\"", StringComparison.Ordinal);
                var config = dirs.Write($"sync-{i}.toml", text);
                var stop = new CancellationTokenSource();
                var error = new StringWriter();
                var run = ShakeCommandLine.Create().Parse([config]).InvokeAsync(new InvocationConfiguration { Output = new StringWriter(), Error = error }, stop.Token);
                runs.Add((run, error, stop));
            }
            await using var reader = await ClusterTestClient.ConnectAsync(target.SeedAddress, password: TargetPassword);
            await WaitAsync(async () => await reader.CountKeysAsync() == 3000, TimeSpan.FromSeconds(60), "the three full syncs");
            await writer.ExecuteAsync("SET", "live", "1");
            await WaitAsync(async () => (await reader.ExecuteAsync("GET", "live")).AsString() == "1", TimeSpan.FromSeconds(30), "the stream");
            Assert.Equal("value:1234", (await reader.ExecuteAsync("GET", "key:1234")).AsString());
            foreach (var (run, error, stop) in runs)
            {
                stop.Cancel();
                Assert.True(await run == ExitCodes.Success, error.ToString());
            }

            // The loopback copy of the guide's file, validated online: what the process runs with, derived values marked.
            var (validateCode, validated, _) = await ShakeRunner.RunAsync("validate", Path.Combine(dirs.Path, "sync-0.toml"));
            Assert.True(validateCode == ExitCodes.Success, validated);
            Assert.Contains("try_diskless = true", validated);
            Assert.Contains($"# derived: the source is one server: this process follows {leaders[0]} only", validated);
            Assert.Matches(@"# derived: target 127\.0\.0\.1:\d+: redis 7\.\d+\.\d+, RDB \d+, cluster \(db 0 only\), proto-max-bulk-len \d+", validated);
            Assert.Contains("# derived: bulk limit used: 512000000 bytes", validated);
            var masters = validated.Split('\n').Single(l => l.StartsWith("# derived: target cluster masters", StringComparison.Ordinal));
            Assert.Equal(3, masters.Split(": ")[^1].Split(", ").Length);
            Assert.Contains("keys are written as RESTORE", validated);
            Assert.DoesNotContain(SourcePassword, validated);
            Assert.DoesNotContain("10.233.", validated);

            // The same cluster followed by one process per shard selection: validate says which shards each serves.
            var served = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var v4 = dirs.Write($"v4-{i}.toml", $"""
                    [sync_reader]
                    cluster = true
                    address = "{source.SeedAddress}"
                    password = "{SourcePassword}"
                    [redis_writer]
                    cluster = true
                    address = "{target.SeedAddress}"
                    password = "{TargetPassword}"
                    [advanced]
                    shards = "{i}/3"
                    """);
                var (code, output, _) = await ShakeRunner.RunAsync("validate", v4);
                Assert.True(code == ExitCodes.Success, output);
                Assert.Contains("this process serves 1 of 3", output);
                served.AddRange(output.Split('\n').Where(l => l.Contains("served here", StringComparison.Ordinal)));
                Assert.DoesNotContain(SourcePassword, output);
            }
            Assert.Equal(3, served.Distinct().Count());
        }
        finally
        {
            foreach (var (run, _, stop) in runs)
            {
                stop.Cancel();
                try { await run; } catch (Exception) { }
                stop.Dispose();
            }
            if (!hadData && Directory.Exists(cwdData)) Directory.Delete(cwdData, recursive: true);
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
