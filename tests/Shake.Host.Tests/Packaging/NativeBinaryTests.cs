using System.Text.RegularExpressions;
using Shake.Testing;

namespace Shake.Host.Tests.Packaging;

/// <summary>The native (AOT) executable, as scripts/publish.sh and the container image make it, against real servers.</summary>
public class NativeBinaryTests
{
    [NativeFact]
    public async Task VersionNamesReleaseCommitAndANativeRuntime()
    {
        var shake = await NativeShake.PathAsync();
        var (code, output, error) = await ChildProcess.RunAsync(shake, ["--version"], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, error);
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown), \.NET \d+\.\d+\.\d+[^,]*, native AOT, linux-(x64|arm64)\)$"), output.Trim());
    }

    [NativeFact]
    public async Task NativeExecutableRunsARealSyncWithALuaFilterAndStopsCleanlyOnSigterm()
    {
        var shake = await NativeShake.PathAsync();
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await TestDataWriter.PopulateAsync(source.Address, 200);
        await source.CliAsync("MSET", "tmp:1", "x", "tmp:2", "y");
        var expected = long.Parse((await source.CliAsync("DBSIZE")).Trim()) - 2;
        var config = dir.Write("sync.toml", $"""
            [sync_reader]
            address = "{source.Address}"
            [redis_writer]
            address = "{target.Address}"
            [advanced]
            dir = "{dir.Path}"
            log_interval = 1
            rdb_restore_command_behavior = "rewrite"
            """);
        // The Lua native library is loaded from beside the executable: this proves it is shipped and callable there.
        var script = dir.Write("filter.lua", """
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if #keys > 0 and string.sub(keys[1], 1, 4) == "tmp:" then return 1, db_id end
                return 0, db_id
            end
            """);
        using var run = ChildProcess.Start(shake, [config, script]);
        await Until(async () => await DbSize(target) == expected, "the full sync");
        await source.CliAsync("SET", "live", "1");
        await source.CliAsync("SET", "tmp:live", "1");
        await Until(async () => (await target.CliAsync("GET", "live")).Trim() == "1", "a streamed write");
        await run.SignalAsync("TERM");
        var (code, output, error) = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, error + output);
        Assert.Contains("native AOT", output);
        Assert.Contains("received SIGTERM; stopping", output);
        Assert.Equal("0", (await target.CliAsync("EXISTS", "tmp:live")).Trim());
        // Without the keys the filter dropped, the target is the source's copy: every type, value and expiry.
        await source.CliAsync("DEL", "tmp:1", "tmp:2", "tmp:live");
        await RedisDataComparer.AssertEqualAsync(source.Address, target.Address, TimeSpan.FromSeconds(5), 0);
    }

    private static Task<long> DbSize(RedisServer server) => SyncRunTests.DbSize(server);

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
