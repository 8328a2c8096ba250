using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Shake.Core.Commands;
using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Core.Routing;
using Shake.Core.Tests.Commands;

namespace Shake.Core.Tests.Filters;

public sealed class LuaFilterTests
{
    private static FilterPipeline Pipeline(string script) => new([LuaFilter.FromSource(script, "filter.lua")], NullLogger.Instance);

    [Fact]
    public void ReceivesTheV3Arguments()
    {
        // The script records what it saw in a global; a second call reads it back through a drop/pass decision.
        using var pipeline = Pipeline("""
            seen = {}
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                seen[#seen + 1] = string.format("%d|%s|%s|%s|%s|%s|%d|%d", id, tostring(is_base), group, cmd_name,
                    table.concat(keys, ","), table.concat(slots, ","), db_id, timestamp_ms)
                if cmd_name == "CHECK" then
                    return (seen[1] .. "#" .. seen[2] == keys[1]) and 0 or 1, db_id
                end
                return 0, db_id
            end
            """);
        Assert.True(pipeline.TryPassCommand(Args.Of("MSET", "a", "1", "{b}x", "2"), 3, out var db));
        Assert.Equal(3, db);
        Assert.True(pipeline.TryPassEntry(4, "k"u8, CommandGroup.Hash, out db));
        Assert.Equal(4, db);
        var first = $"1|false|STRING|MSET|a,{{b}}x|{ClusterSlot.Of("a"u8)},{ClusterSlot.Of("b"u8)}|3|0";
        var second = $"2|true|HASH|RESTORE|k|{ClusterSlot.Of("k"u8)}|4|0";
        // Unknown command: its first argument is the key.
        Assert.True(pipeline.TryPassCommand(Args.Of("CHECK", first + "#" + second), 0, out _));
    }

    [Fact]
    public void DropsAndRedirects()
    {
        using var pipeline = Pipeline("""
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if db_id == 0 then return 0, 1 end
                if db_id == 1 then return 0, 0 end
                if string.sub(keys[1] or "", 1, 4) == "tmp:" then return 1, db_id end
                return 0, db_id
            end
            """);
        Assert.True(pipeline.TryPassCommand(Args.Of("SET", "k", "v"), 0, out var db));
        Assert.Equal(1, db);
        Assert.True(pipeline.TryPassEntry(1, "k"u8, CommandGroup.String, out db));
        Assert.Equal(0, db);
        Assert.False(pipeline.TryPassCommand(Args.Of("SET", "tmp:1", "v"), 5, out _));
        Assert.False(pipeline.TryPassEntry(5, "tmp:2"u8, CommandGroup.String, out _));
        Assert.True(pipeline.TryPassCommand(Args.Of("SET", "x", "v"), 5, out db));
        Assert.Equal(5, db);
        Assert.Equal(2, pipeline.Statistics.Dropped(FilterReason.Script));
        Assert.Equal(2, pipeline.Statistics.Redirected);
    }

    [Fact]
    public void BinaryKeysReachTheScriptUnchanged()
    {
        using var pipeline = Pipeline("""
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if keys[1] == "\255\000k" then return 1, db_id end
                return 0, db_id
            end
            """);
        var key = new byte[] { 0xFF, 0x00, (byte)'k' };
        Assert.False(pipeline.TryPassEntry(0, key, CommandGroup.String, out _));
        var arguments = Args.Of("SET", "x", "v");
        arguments[1] = new System.Buffers.ReadOnlySequence<byte>(key);
        Assert.False(pipeline.TryPassCommand(arguments, 0, out _));
    }

    [Fact]
    public void CodeTwoStopsTheSync()
    {
        using var pipeline = Pipeline("""
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if cmd_name == "FLUSHALL" then return 2, db_id end
                return 0, db_id
            end
            """);
        Assert.True(pipeline.TryPassCommand(Args.Of("SET", "k", "v"), 0, out _));
        var error = Assert.Throws<FilterStoppedException>(() => pipeline.TryPassCommand(Args.Of("flushall"), 0, out _));
        Assert.Contains("filter.lua stopped the sync at FLUSHALL (id 2, db 0)", error.Message);
    }

    [Fact]
    public void RuntimeErrorsStopWithTheScriptLine()
    {
        using var pipeline = Pipeline("function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)\n  local x = nil\n  return x.field, db_id\nend\n");
        var error = Assert.Throws<FilterStoppedException>(() => pipeline.TryPassCommand(Args.Of("SET", "k", "v"), 0, out _));
        Assert.Contains("filter.lua:3:", error.Message);
        Assert.Contains("SET (id 1, db 0)", error.Message);
    }

    [Theory]
    [InlineData("return 7, db_id", "returned code 7")]
    [InlineData("return 'yes', db_id", "returned the string 'yes' as code")]
    [InlineData("return 0, 'one'", "returned the string 'one' as db_id")]
    [InlineData("return 0, -1", "as db_id")]
    [InlineData("return", "returned nothing as code")]
    public void BadReturnValuesStopNamingThem(string body, string expected)
    {
        using var pipeline = Pipeline($"function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)\n  {body}\nend\n");
        var error = Assert.Throws<FilterStoppedException>(() => pipeline.TryPassCommand(Args.Of("SET", "k", "v"), 0, out _));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void MissingDbIdKeepsTheDatabase()
    {
        using var pipeline = Pipeline("function filter() return 0 end");
        Assert.True(pipeline.TryPassCommand(Args.Of("SET", "k", "v"), 7, out var db));
        Assert.Equal(7, db);
    }

    [Fact]
    public void SyntaxErrorsAreReportedWithTheLineWhenLoading()
    {
        var error = Assert.Throws<LuaFilterException>(() => LuaFilter.FromSource("function filter()\n  return 0,\nend\n", "bad.lua"));
        Assert.Contains("bad.lua does not load", error.Message);
        Assert.Contains("bad.lua:3:", error.Message);
    }

    [Fact]
    public void ScriptsWithoutAFilterFunctionAreRefused()
    {
        var error = Assert.Throws<LuaFilterException>(() => LuaFilter.FromSource("x = 1", "nofilter.lua"));
        Assert.Contains("defines no global function 'filter", error.Message);
    }

    [Fact]
    public void LoadsFromAFileAndComposesAfterTheLists()
    {
        var path = Path.Combine(Path.GetTempPath(), $"shake-filter-{Guid.NewGuid():N}.lua");
        File.WriteAllText(path, "calls = 0\nfunction filter(id, is_base, group, cmd_name, keys, slots, db_id)\n  calls = calls + 1\n  if calls > 1 then return 1, db_id end\n  return 0, db_id\nend\n", Encoding.UTF8);
        try
        {
            using var pipeline = FilterPipeline.Create(new FilterOptions { BlockKeyPrefix = ["tmp:"], LuaScriptPath = path }, NullLogger.Instance)!;
            // The list drops tmp:1 before the script runs, so the script's first call is for "a".
            Assert.False(pipeline.TryPassCommand(Args.Of("SET", "tmp:1", "v"), 0, out _));
            Assert.True(pipeline.TryPassCommand(Args.Of("SET", "a", "v"), 0, out _));
            Assert.False(pipeline.TryPassCommand(Args.Of("SET", "b", "v"), 0, out _));
            Assert.Equal(1, pipeline.Statistics.Dropped(FilterReason.Key));
            Assert.Equal(1, pipeline.Statistics.Dropped(FilterReason.Script));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingScriptFileIsNamed()
    {
        var error = Assert.Throws<LuaFilterException>(() => LuaFilter.Load("/nonexistent/dir/filter.lua"));
        Assert.Contains("filter.lua cannot be read", error.Message);
    }
}
