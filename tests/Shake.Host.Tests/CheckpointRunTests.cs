using Shake.Host.Commands;
using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>Checkpoints in the target: resume after a crash, nothing copied back, the guards before a full sync.</summary>
public class CheckpointRunTests
{
    private static string V4Sync(RedisServer source, RedisServer target, string dir, string extra = "", string reader = "") => $"""
        [sync_reader]
        address = "{source.Address}"
        {reader}
        [redis_writer]
        address = "{target.Address}"
        [advanced]
        dir = "{dir}"
        log_interval = 1
        rdb_restore_command_behavior = "rewrite"
        {extra}
        """;

    private static async Task<RedisConnection> ConnectAsync(RedisServer server) =>
        await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });

    // INCR and APPEND (a second application shows as a larger counter or a longer string), some in MULTI blocks.
    private static async Task<long> LoadAsync(RedisServer source, CancellationToken stop)
    {
        await using var connection = await ConnectAsync(source);
        long writes = 0;
        while (!stop.IsCancellationRequested)
        {
            var i = writes;
            if (i % 10 == 0)
            {
                await connection.ExecuteAsync("MULTI");
                await connection.ExecuteAsync("INCR", $"c:{i % 97}");
                await connection.ExecuteAsync("APPEND", $"s:{i % 31}", "y");
                (await connection.ExecuteAsync("EXEC")).ThrowIfError();
            }
            else
            {
                (await connection.ExecuteAsync("INCR", $"c:{i % 97}")).ThrowIfError();
                (await connection.ExecuteAsync("APPEND", $"s:{i % 31}", "x")).ThrowIfError();
            }
            writes++;
        }
        return writes;
    }

    private static async Task<List<string>> DifferencesAsync(RedisServer source, RedisServer target)
    {
        await using var s = await ConnectAsync(source);
        await using var t = await ConnectAsync(target);
        var differences = new List<string>();
        foreach (var key in Enumerable.Range(0, 97).Select(i => $"c:{i}").Concat(Enumerable.Range(0, 31).Select(i => $"s:{i}")))
        {
            var a = (await s.ExecuteAsync("GET", key)).AsString();
            var b = (await t.ExecuteAsync("GET", key)).AsString();
            if (a != b) differences.Add($"{key}: source {a?.Length} chars '{Short(a)}', target {b?.Length} chars '{Short(b)}'");
        }
        return differences;
    }

    private static string? Short(string? value) => value is null || value.Length <= 12 ? value : value[..12] + "…";

    private static async Task WaitEqualAsync(RedisServer source, RedisServer target, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var differences = await DifferencesAsync(source, target);
            if (differences.Count == 0) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{differences.Count} keys differ: {string.Join("; ", differences.Take(5))}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task KillNineDuringIncrAndAppendLoadThenRestartWithAnEmptyDirContinuesAndEveryCounterEqualsTheSource()
    {
        using var first = new TempDir();
        using var second = new TempDir();
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0", "--repl-backlog-size", "64mb"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "1000", "pre", "10");
        await using (var shake = ShakeProcess.Start(first.Write("sync.toml", V4Sync(source, target, first.Path))))
        {
            await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
            using var stop = new CancellationTokenSource();
            var load = LoadAsync(source, stop.Token);
            await Task.Delay(1500);
            // Under load, with transactions in flight: no clean stop, no resume point.
            shake.Kill();
            await Task.Delay(500);
            stop.Cancel();
            Assert.True(await load > 100);
            Assert.DoesNotContain("saved the resume point", shake.AllText);
        }
        // Written while no shake ran: the source's backlog holds it.
        (await (await ConnectAsync(source)).ExecuteAsync("INCR", "c:0")).ThrowIfError();
        Assert.False(File.Exists(Path.Combine(second.Path, "resume-point")));
        await using (var shake = ShakeProcess.Start(second.Write("sync.toml", V4Sync(source, target, second.Path))))
        {
            await shake.WaitForAsync("answered PSYNC:", TimeSpan.FromSeconds(60));
            Assert.Contains("resuming from the checkpoint shake-checkpoint:" + source.Address, shake.AllText);
            Assert.Contains("answered PSYNC: CONTINUE", shake.AllText);
            Assert.DoesNotContain("FULLRESYNC", shake.AllText);
            using var stop = new CancellationTokenSource();
            var load = LoadAsync(source, stop.Token);
            await Task.Delay(1000);
            stop.Cancel();
            await load;
            await WaitEqualAsync(source, target, TimeSpan.FromSeconds(30));
            await shake.TerminateAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task ASyncBackFromTheTargetIsRefusedWhileTheFirstRunsAndNeverCopiesItsCheckpointBack()
    {
        using var ab = new TempDir();
        using var ba = new TempDir();
        await using var a = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var b = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await a.CliAsync("SET", "from-a", "1");
        var back = ba.Write("sync.toml", V4Sync(b, a, ba.Path));
        await using (var shake = ShakeProcess.Start(ab.Write("sync.toml", V4Sync(a, b, ab.Path))))
        {
            await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
            // While A -> B runs, B -> A is the mistake: refused before anything is written, naming both directions.
            var (code, _, error) = await ShakeRunner.RunAsync(back);
            Assert.Equal(ExitCodes.Failed, code);
            Assert.Contains($"refusing to sync {b.Address} -> {a.Address}: another sync runs the opposite direction, {a.Address} -> {b.Address}", error);
            Assert.Equal("0", (await a.CliAsync("EXISTS", "shake-checkpoint:" + b.Address)).Trim());
            await shake.TerminateAsync(TimeSpan.FromSeconds(30));
        }

        // With the guard off (the first sync stopped), B -> A copies B's data but not A -> B's checkpoint, from the
        // snapshot nor from the stream.
        await b.CliAsync("SET", "from-b", "2");
        var config = ba.Write("sync-unguarded.toml", V4Sync(b, a, ba.Path, "checkpoint_guard = false"));
        await using (var shake = ShakeProcess.Start(config))
        {
            await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
            await b.CliAsync("HSET", "shake-checkpoint:elsewhere", "offset", "1");
            await b.CliAsync("SET", "after", "3");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await a.CliAsync("GET", "after")).Trim() != "3")
            {
                Assert.True(DateTime.UtcNow < deadline, shake.AllText);
                await Task.Delay(100);
            }
            Assert.Equal("2", (await a.CliAsync("GET", "from-b")).Trim());
            Assert.Equal("0", (await a.CliAsync("EXISTS", "shake-checkpoint:" + a.Address)).Trim());
            Assert.Equal("0", (await a.CliAsync("EXISTS", "shake-checkpoint:elsewhere")).Trim());
            // A's index lists only the checkpoint of B -> A itself.
            Assert.Equal("shake-checkpoint:" + b.Address, (await a.CliAsync("HKEYS", "shake-checkpoint")).Trim());
            await shake.TerminateAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task TargetMustBeEmptyRefusesAFullSyncIntoATargetWithKeysAndTheCountIsLoggedOtherwise()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "100", "key", "10");
        await target.CliAsync("DEBUG", "POPULATE", "7", "old", "10");
        var refused = dir.Write("refused.toml", V4Sync(source, target, dir.Path, "target_must_be_empty = true", "sync_aof = false"));
        var (code, _, error) = await ShakeRunner.RunAsync(refused);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"target_must_be_empty: the target {target.Address} holds 7 keys before the full sync", error);
        Assert.Equal("7", (await target.CliAsync("DBSIZE")).Trim());

        var allowed = dir.Write("allowed.toml", V4Sync(source, target, dir.Path, "", "sync_aof = false"));
        (code, var output, error) = await ShakeRunner.RunAsync(allowed);
        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Contains($"the target {target.Address} holds 7 keys before the full sync", File.ReadAllText(Path.Combine(dir.Path, "shake.log")));
    }
}
