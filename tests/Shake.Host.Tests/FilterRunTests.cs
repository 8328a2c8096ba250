using Shake.Host.Commands;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary><c>shake restore.toml [filter.lua]</c> with <c>[filter]</c> lists and a v3 Lua script, against real servers.</summary>
public class FilterRunTests
{
    private static string Restore(RedisServer source, RedisServer target, string dir, string filter = "") => $"""
        [rdb_reader]
        filepath = "{Path.Combine(source.Directory, "dump.rdb")}"
        [redis_writer]
        address = "{target.Address}"
        [advanced]
        dir = "{dir}"
        {filter}
        """;

    private static async Task<string[]> Keys(RedisServer server, int db) =>
        // redis-cli writing to a pipe prints one raw key per line.
        (await server.CliAsync("-n", db.ToString(System.Globalization.CultureInfo.InvariantCulture), "KEYS", "*"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();

    private static async Task SeedAsync(RedisServer source)
    {
        await source.CliAsync("MSET", "user:1", "a", "user:2", "b", "tmp:1", "c");
        await source.CliAsync("HSET", "user:h", "f", "v");
        await source.CliAsync("-n", "1", "SET", "user:9", "x");
        await source.CliAsync("SAVE");
    }

    [Fact]
    public async Task FilterListsAndALuaScriptShapeTheRestore()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await SeedAsync(source);
        var config = dir.Write("restore.toml", Restore(source, target, dir.Path, """
            [filter]
            allow_key_prefix = ["user:"]
            block_command_group = ["HASH"]
            """));
        var script = dir.Write("filter.lua", """
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if db_id == 1 then return 0, 2 end
                return 0, db_id
            end
            """);
        var (code, output, error) = await ShakeRunner.RunAsync(config, script);
        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Equal(["user:1", "user:2"], await Keys(target, 0));
        Assert.Empty(await Keys(target, 1));
        Assert.Equal(["user:9"], await Keys(target, 2));
        Assert.Contains("filters: 3 keys and 0 commands passed, filtered 2 (key 1, command group 1), redirected 1", output + error);
    }

    [Fact]
    public async Task ABrokenScriptFailsBeforeAnythingIsWrittenNamingTheLine()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await SeedAsync(source);
        var config = dir.Write("restore.toml", Restore(source, target, dir.Path));
        var script = dir.Write("broken.lua", "function filter(id)\n  return 0,,\nend\n");
        var (code, output, error) = await ShakeRunner.RunAsync(config, script);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("broken.lua:2:", error + output);
        Assert.Empty(await Keys(target, 0));
    }
}
