using Shake.Host.Commands;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary><c>shake restore.toml</c> with a v4 <c>[filter] function</c>, against real servers.</summary>
public class FunctionRunTests
{
    private static string Restore(RedisServer source, RedisServer target, string dir, string function) => $"""
        [rdb_reader]
        filepath = "{Path.Combine(source.Directory, "dump.rdb")}"
        [redis_writer]
        address = "{target.Address}"
        [filter]
        function = '''
        {function}
        '''
        [advanced]
        dir = "{dir}"
        """;

    [Fact]
    public async Task AFunctionInTheConfigurationRewritesTheRestoredKeys()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("MSET", "app:1", "a", "app:2", "b", "tmp:1", "c");
        await source.CliAsync("HSET", "app:h", "f", "v");
        await source.CliAsync("SAVE");
        var config = dir.Write("restore.toml", Restore(source, target, dir.Path, """
            if string.sub(KEYS[1], 1, 4) == "tmp:" then return end
            ARGV[2] = "v2:" .. ARGV[2]
            shake.call(DB + 1, ARGV)
            """));
        var (code, output, error) = await ShakeRunner.RunAsync(config);
        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Equal("v2:app:1\nv2:app:2\nv2:app:h", string.Join('\n', (await target.CliAsync("-n", "1", "KEYS", "*")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)));
        Assert.Equal("v", (await target.CliAsync("-n", "1", "HGET", "v2:app:h", "f")).Trim());
        Assert.Equal("0", (await target.CliAsync("DBSIZE")).Trim());
    }

    [Fact]
    public async Task AFunctionThatDoesNotCompileFailsBeforeAnythingIsWrittenNamingTheLine()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("SET", "a", "1");
        await source.CliAsync("SAVE");
        var config = dir.Write("restore.toml", Restore(source, target, dir.Path, "shake.call(DB, ARGV)\nif then end"));
        var (code, output, error) = await ShakeRunner.RunAsync(config);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("[filter] function:2:", error + output);
        Assert.Equal("0", (await target.CliAsync("DBSIZE")).Trim());
    }
}
