using System.Diagnostics;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>The <c>shake</c> executable with a sentinel-managed source: validate asks the sentinel, a sync follows a failover.</summary>
public class SentinelRunTests
{
    [Fact]
    public async Task TheExecutableFollowsTheMasterTheSentinelNamesThroughAFailover()
    {
        using var dir = new TempDir();
        await using var master = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var replica = await RedisServer.StartAsync(["--replicaof", "127.0.0.1", master.Port.ToString()]);
        await using var target = await RedisServer.StartAsync();
        await WaitForAsync(async () => (await replica.CliAsync("INFO", "replication")).Contains("master_link_status:up"), TimeSpan.FromSeconds(30), "the replica's link");
        await using var sentinel = await RedisSentinel.StartAsync("shake-source", master);
        await sentinel.WaitForReplicaAsync(replica, TimeSpan.FromSeconds(30));
        await master.CliAsync(["MSET", .. Enumerable.Range(0, 100).SelectMany(i => new[] { $"k{i}", "v" })]);
        var config = dir.Write("sync.toml", $"""
            [sync_reader]
            [sync_reader.sentinel]
            master_name = "shake-source"
            address = "{sentinel.Address}"
            [redis_writer]
            address = "{target.Address}"
            [advanced]
            dir = "{dir.Path}"
            log_interval = 1
            """);

        var (code, validated, _) = await ShakeRunner.RunAsync("validate", config);
        Assert.True(code == 0, validated);
        Assert.Contains($"master 'shake-source' is {master.Address}", validated);

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "shake.dll"));
        info.ArgumentList.Add(config);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await WaitForAsync(async () => await SyncRunTests.DbSize(target) == 100, TimeSpan.FromSeconds(30), "the full sync");
            await master.CliAsync("SET", "before", "1");
            await WaitForAsync(async () => (await target.CliAsync("EXISTS", "before")).Trim() == "1", TimeSpan.FromSeconds(30), "the stream");
            // The test is about a partial continuation, which needs the replica to hold everything Shake applied.
            await ReplicationOffsets.WaitUntilCaughtUpAsync(master.Address, replica.Address, TimeSpan.FromSeconds(30));
            var beforeKill = await replica.CliAsync("INFO", "replication");
            master.Kill();
            await sentinel.WaitForMasterAsync(replica.Address, TimeSpan.FromSeconds(60));
            await WaitForAsync(async () => (await replica.CliAsync("SET", "after", "1")).Trim() == "OK", TimeSpan.FromSeconds(30), "the new master taking writes");
            await WaitForAsync(async () => (await target.CliAsync("EXISTS", "after")).Trim() == "1", TimeSpan.FromSeconds(60), "the stream from the new master");
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout;
            Assert.True(process.ExitCode == 0, await stderr + output);
            Assert.True(output.Contains($"master 'shake-source' is {replica.Address}", StringComparison.Ordinal), output);
            Assert.True(output.Contains("answered PSYNC: CONTINUE", StringComparison.Ordinal),
                $"{output}\n--- replica before the kill:\n{beforeKill}\n--- replica log:\n{replica.ReadLogTail(60)}\n--- sentinel log:\n{sentinel.ReadLogTail(40)}");
            Assert.Equal(1, output.Split('\n').Count(l => l.Contains("answered PSYNC: FULLRESYNC")));
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
