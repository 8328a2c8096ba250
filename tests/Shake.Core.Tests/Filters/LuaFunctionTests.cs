using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Core.Filters.Functions;
using Shake.Core.Routing;
using Shake.Core.Tests.Commands;

namespace Shake.Core.Tests.Filters;

/// <summary>The v4 <c>[filter] function</c> on its own: what the script sees and what <c>shake.call</c> emits.</summary>
public sealed class LuaFunctionTests
{
    private static FilterPipeline Pipeline(string function, FilterOptions? lists = null) =>
        FilterPipeline.Create((lists ?? new FilterOptions()) with { Function = function }, NullLogger.Instance)!;

    private static string Text(EmittedCommand command) => Encoding.UTF8.GetString(command.Encoded);

    [Fact]
    public void TheScriptSeesTheV4VariablesAndEmitsWhatItIsGiven()
    {
        using var pipeline = Pipeline("""
            shake.call(DB + 1, {"ECHO", string.format("%d|%s|%s|%s|%s|%s|%s", DB, CMD, GROUP, table.concat(KEYS, ","),
                table.concat(KEY_INDEXES, ","), table.concat(SLOTS, ","), table.concat(ARGV, ","))})
            """);
        Assert.True(pipeline.TryPassCommand(Args.Of("mset", "a", "1", "{b}x", "2"), 3, out _));
        var emitted = Assert.Single(pipeline.Emitted);
        Assert.Equal(4, emitted.Db);
        var expected = $"3|MSET|STRING|a,{{b}}x|2,4|{ClusterSlot.Of("a"u8)},{ClusterSlot.Of("b"u8)}|mset,a,1,{{b}}x,2";
        Assert.Equal($"*2\r\n$4\r\nECHO\r\n${expected.Length}\r\n{expected}\r\n", Text(emitted));
    }

    [Fact]
    public void SubCommandsAreNamedWithADash()
    {
        using var pipeline = Pipeline("shake.call(DB, {CMD, GROUP})");
        Assert.True(pipeline.TryPassCommand(Args.Of("xgroup", "create", "s", "g", "$"), 0, out _));
        Assert.Equal("*2\r\n$13\r\nXGROUP-CREATE\r\n$6\r\nSTREAM\r\n", Text(Assert.Single(pipeline.Emitted)));
    }

    [Fact]
    public void NoCallDropsTheCommandAndSeveralCallsEmitSeveralCommandsInOrder()
    {
        using var pipeline = Pipeline("""
            if CMD == "DEL" then return end
            shake.call(DB, ARGV)
            shake.call(DB, {"SADD", "index", KEYS[1], 42})
            """);
        Assert.False(pipeline.TryPassCommand(Args.Of("DEL", "a"), 0, out _));
        Assert.Equal(1, pipeline.Statistics.Dropped(FilterReason.Function));
        Assert.True(pipeline.TryPassCommand(Args.Fragmented("SET", "k", "v"), 0, out _));
        Assert.Equal(["*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "*4\r\n$4\r\nSADD\r\n$5\r\nindex\r\n$1\r\nk\r\n$2\r\n42\r\n"],
            pipeline.Emitted.Select(Text));
    }

    [Fact]
    public void TheListsRunFirst()
    {
        using var pipeline = Pipeline("shake.call(DB, ARGV)", new FilterOptions { BlockKeyPrefix = ["tmp:"] });
        Assert.False(pipeline.TryPassCommand(Args.Of("SET", "tmp:1", "v"), 0, out _));
        Assert.Equal(1, pipeline.Statistics.Dropped(FilterReason.Key));
        Assert.Empty(pipeline.Emitted);
    }

    [Fact]
    public void BinaryArgumentsGoThroughUnchanged()
    {
        using var pipeline = Pipeline("shake.call(DB, ARGV)");
        var value = new byte[] { 0, 255, 13, 10, 128 };
        Assert.True(pipeline.TryPassCommand([new("SET"u8.ToArray()), new("k"u8.ToArray()), new(value)], 0, out _));
        Assert.Equal([.. "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\n"u8.ToArray(), .. value, 13, 10], Assert.Single(pipeline.Emitted).Encoded);
    }

    [Fact]
    public void ACompileErrorNamesTheLine()
    {
        var error = Assert.Throws<LuaFunctionException>(() => Pipeline("shake.call(DB, ARGV)\nif then\n"));
        Assert.Contains("[filter] function:2:", error.Message);
    }

    [Theory]
    [InlineData("local t = nil\nif CMD == 'SET' then\n  t.x = 1\nend", "[filter] function:3: attempt to index a nil value")]
    [InlineData("\nshake.call('db', ARGV)", "[filter] function:2: shake.call: the database must be a non-negative integer, not the string 'db'")]
    [InlineData("shake.call(DB, {})", "[filter] function:1: shake.call: the command is an empty table")]
    [InlineData("shake.call(DB, {'SET', {}})", "[filter] function:1: shake.call: argument 2 of the command is a table")]
    public void ARuntimeErrorStopsNamingTheLineAndTheCommand(string function, string expected)
    {
        using var pipeline = Pipeline(function);
        var error = Assert.Throws<FilterStoppedException>(() => pipeline.TryPassCommand(Args.Of("SET", "k", "v"), 5, out _));
        Assert.Contains(expected, error.Message);
        Assert.Contains("on SET (db 5)", error.Message);
        Assert.Empty(pipeline.Emitted);
    }

    [Fact]
    public void GlobalsAreSetAgainForEveryCommand()
    {
        // The swap example of redis-shake's documentation assigns DB; the next command must see its own again.
        using var pipeline = Pipeline("if DB == 1 then DB = 2 elseif DB == 2 then DB = 1 end\nshake.call(DB, ARGV)");
        Assert.True(pipeline.TryPassCommand(Args.Of("SET", "k", "v"), 1, out _));
        Assert.Equal(2, pipeline.Emitted[0].Db);
        Assert.True(pipeline.TryPassCommand(Args.Of("SET", "k", "v"), 0, out _));
        Assert.Equal(0, pipeline.Emitted[0].Db);
        Assert.Equal(1, pipeline.Statistics.Redirected);
    }
}
