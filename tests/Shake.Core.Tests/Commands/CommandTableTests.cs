using System.Text;
using Shake.Core.Commands;
using Shake.Testing;
using Shake.TestSupport;

namespace Shake.Core.Tests.Commands;

public sealed class CommandTableTests
{
    // A broad sample: fixed positions, every-other-argument keys, numkeys, keywords searched forwards and backwards,
    // sub-commands, and the SORT/MIGRATE rules.
    private static readonly string[][] Samples =
    [
        ["SET", "k", "v"], ["set", "k", "v", "EX", "10"], ["GETSET", "k", "v"], ["APPEND", "k", "v"], ["INCRBY", "k", "3"],
        ["MSET", "a", "1", "b", "2", "c", "3"], ["MSETNX", "a", "1", "b", "2"], ["DEL", "a", "b", "c"], ["UNLINK", "a"],
        ["EXPIRE", "k", "10"], ["PEXPIREAT", "k", "1"], ["PERSIST", "k"], ["RENAME", "a", "b"], ["RENAMENX", "a", "b"],
        ["COPY", "a", "b", "DB", "2"], ["MOVE", "a", "3"], ["RESTORE", "k", "0", "payload"], ["TOUCH", "a", "b"],
        ["LPUSH", "l", "1", "2"], ["RPOPLPUSH", "a", "b"], ["LMOVE", "a", "b", "LEFT", "RIGHT"], ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"],
        ["LMPOP", "2", "a", "b", "LEFT"], ["BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "2"], ["BLPOP", "a", "b", "0"],
        ["SADD", "s", "m"], ["SMOVE", "a", "b", "m"], ["SINTERSTORE", "d", "a", "b"], ["SUNIONSTORE", "d", "a"], ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
        ["ZADD", "z", "1", "m"], ["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"], ["ZINTERSTORE", "d", "1", "a"],
        ["ZDIFFSTORE", "d", "2", "a", "b"], ["ZRANGESTORE", "d", "s", "0", "-1"], ["ZMPOP", "2", "a", "b", "MIN"], ["BZPOPMIN", "a", "b", "0"],
        ["HSET", "h", "f", "v"], ["HDEL", "h", "f"], ["HINCRBYFLOAT", "h", "f", "1.5"],
        ["XADD", "x", "*", "f", "v"], ["XDEL", "x", "1-1"], ["XTRIM", "x", "MAXLEN", "10"], ["XGROUP", "CREATE", "x", "g", "$"],
        ["XGROUP", "SETID", "x", "g", "0"], ["XACK", "x", "g", "1-1"], ["XCLAIM", "x", "g", "c", "0", "1-1"], ["XAUTOCLAIM", "x", "g", "c", "0", "0"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x1", "x2", ">", ">"], ["XREAD", "COUNT", "1", "STREAMS", "a", "b", "c", "0", "0", "0"],
        ["XSETID", "x", "1-1"], ["XINFO", "STREAM", "x"],
        ["PFADD", "p", "a"], ["PFMERGE", "d", "a", "b"], ["SETBIT", "b", "1", "1"], ["BITOP", "AND", "d", "a", "b"], ["BITFIELD", "b", "SET", "u8", "0", "1"],
        ["GEOADD", "g", "1", "2", "m"], ["GEORADIUS", "g", "1", "2", "3", "m", "STORE", "d"], ["GEORADIUS", "g", "1", "2", "3", "m", "STOREDIST", "d2"],
        ["GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "m"],
        ["EVAL", "return 1", "2", "a", "b", "x"], ["EVALSHA", "abc", "1", "a"], ["EVAL_RO", "return 1", "0"], ["FCALL", "f", "2", "a", "b", "c"],
        ["SORT", "s"], ["SORT", "s", "BY", "w_*", "LIMIT", "0", "10", "GET", "o_*", "STORE", "d"], ["SORT", "s", "ALPHA", "STORE", "d"],
        ["MIGRATE", "h", "1", "k", "0", "10"], ["MIGRATE", "h", "1", "", "0", "10", "COPY", "KEYS", "a", "b"],
        ["OBJECT", "ENCODING", "k"], ["MEMORY", "USAGE", "k", "SAMPLES", "5"], ["DEBUG", "OBJECT", "k"],
        ["FLUSHALL"], ["FLUSHDB", "ASYNC"], ["SWAPDB", "0", "1"], ["PUBLISH", "c", "m"], ["SCRIPT", "LOAD", "return 1"], ["FUNCTION", "FLUSH"],
        ["SETRANGE", "k", "0", "v"], ["GETDEL", "k"], ["GETEX", "k", "PERSIST"], ["LCS", "a", "b"], ["SMISMEMBER", "s", "a"],
    ];

    [Fact]
    public async Task KeysMatchTheServersGetKeys()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        var failures = new List<string>();
        foreach (var words in Samples)
        {
            var expected = await ServerKeysAsync(client, words);
            foreach (var arguments in new[] { Args.Of(words), Args.Fragmented(words) })
            {
                var keys = new List<int>();
                CommandTable.TryResolve(arguments, out var spec);
                KeyLocator.Locate(spec, arguments, keys);
                var actual = keys.Select(i => words[i]).ToList();
                if (!actual.SequenceEqual(expected))
                    failures.Add($"{string.Join(' ', words)}: server [{string.Join(',', expected)}], Shake [{string.Join(',', actual)}]");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static async Task<List<string>> ServerKeysAsync(RawRespClient client, string[] words)
    {
        try
        {
            var reply = (object?[])(await client.ExecuteAsync(["COMMAND", "GETKEYS", .. words]))!;
            return reply.Select(k => Encoding.UTF8.GetString((byte[])k!)).ToList();
        }
        // Keyless commands are an error to GETKEYS ("no key arguments"; in 7.0 a lone name is "wrong number of arguments").
        catch (InvalidOperationException e) when (e.Message.Contains("no key arguments", StringComparison.OrdinalIgnoreCase) || words.Length == 1)
        {
            return [];
        }
    }

    [Theory]
    [InlineData("SET", "STRING", true)]
    [InlineData("zadd", "SORTED_SET", true)]
    [InlineData("HSET", "HASH", true)]
    [InlineData("PFADD", "HYPERLOGLOG", true)]
    [InlineData("XADD", "STREAM", true)]
    [InlineData("GEOADD", "GEO", true)]
    [InlineData("SETBIT", "BITMAP", true)]
    [InlineData("EVAL", "SCRIPTING", false)]
    [InlineData("DEL", "GENERIC", true)]
    [InlineData("MULTI", "TRANSACTIONS", false)]
    [InlineData("PUBLISH", "PUBSUB", false)]
    [InlineData("FLUSHALL", "SERVER", true)]
    [InlineData("GET", "STRING", false)]
    public void KnowsGroupAndWriteFlag(string name, string group, bool isWrite)
    {
        Assert.True(CommandTable.TryResolve(Args.Of(name, "k"), out var spec));
        Assert.Equal(group, CommandGroupNames.Name(spec.Group));
        Assert.Equal(isWrite, spec.IsWrite);
    }

    [Fact]
    public void SubcommandsResolveToTheirOwnSpecButKeepTheContainerName()
    {
        Assert.True(CommandTable.TryResolve(Args.Of("xgroup", "createconsumer", "x", "g", "c"), out var spec));
        Assert.Equal("XGROUP|CREATECONSUMER", spec.Name);
        Assert.Equal("XGROUP", spec.CommandName);
        Assert.Equal(CommandGroup.Stream, spec.Group);
        Assert.True(spec.IsWrite);
    }

    [Fact]
    public void UnknownCommandsTakeTheFirstArgumentAsTheirKey()
    {
        var arguments = Args.Of("TAIR.HSET", "key", "field", "value");
        Assert.False(CommandTable.TryResolve(arguments, out _));
        var keys = new List<int>();
        KeyLocator.Locate(null, arguments, keys);
        Assert.Equal([1], keys);
        KeyLocator.Locate(null, Args.Of("NOARGS"), keys);
        Assert.Empty(keys);
    }

    [Fact]
    public void NamesLongerThanAnyCommandOrNotAsciiAreUnknown()
    {
        Assert.False(CommandTable.TryGet(Args.Of(new string('x', 100))[0], out _));
        Assert.False(CommandTable.TryGet(Args.Of("SÉT")[0], out _));
        Assert.False(CommandTable.TryGet(Args.Of("")[0], out _));
    }

    [Fact]
    public void TableHoldsTheRedis70CommandSet()
    {
        Assert.True(CommandTable.All.Count >= 230);
        Assert.All(CommandTable.All, spec => Assert.NotEqual(CommandGroup.Unknown, spec.Group));
    }

    [Fact]
    public void KnowsNewerHashFieldExpiryCommands()
    {
        var arguments = Args.Of("HEXPIRE", "h", "10", "FIELDS", "1", "f");
        Assert.True(CommandTable.TryResolve(arguments, out var spec));
        Assert.Equal(CommandGroup.Hash, spec.Group);
        var keys = new List<int>();
        KeyLocator.Locate(spec, arguments, keys);
        Assert.Equal([1], keys);
    }

    [Fact]
    public async Task TableMatchesTheLocalServersCommandList()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        // The table was generated from 7.0; another server version has other commands by design.
        var version = Encoding.UTF8.GetString((byte[])(await client.ExecuteAsync("INFO", "server"))!);
        if (!version.Contains("redis_version:7.0.", StringComparison.Ordinal)) return;
        var info = (object?[])(await client.ExecuteAsync("COMMAND", "INFO"))!;
        var mismatches = new List<string>();
        foreach (var command in info.Cast<object?[]>())
        {
            var name = Encoding.UTF8.GetString((byte[])command[0]!).ToUpperInvariant();
            var isWrite = ((object?[])command[2]!).Any(f => Encoding.UTF8.GetString((byte[])f!) == "write");
            if (!CommandTable.TryGet(name, out var spec)) mismatches.Add($"{name} missing");
            else if (spec.IsWrite != isWrite) mismatches.Add($"{name} write flag differs");
        }
        Assert.True(mismatches.Count == 0, "regenerate the table (see CommandTableGenerator): " + string.Join(", ", mismatches));
    }
}
