using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Writers;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>
/// Entries written as SET / MSET / MSETNX (restore_form = auto) give the same data as RESTOREs: DEBUG DIGEST, absolute
/// TTLs, integer strings, several databases, and panic/rewrite/skip against existing keys.
/// </summary>
public sealed class WriteFormTests(ITestOutputHelper output)
{
    private const int StringsPerDb = 700;

    // Strings of every RDB encoding (plain, int8/16/32, LZF, empty, binary, over the SET size limit), with and without
    // TTL, between collections, in dbs 0, 1 and 3.
    private static async Task<RedisServer> SourceAsync()
    {
        var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        var expireAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        foreach (var db in new[] { 0, 1, 3 })
        {
            var commands = new List<string[]>();
            for (var i = 0; i < StringsPerDb; i++)
            {
                commands.Add(["SET", $"s:{db}:{i}", $"value-{i}-" + new string((char)('a' + i % 26), i % 120)]);
                if (i % 7 == 0) commands.Add(["SET", $"n:{db}:{i}", (i * (i % 2 == 0 ? 1 : -1) * 997L * i).ToString()]);
                if (i % 5 == 0) commands.Add(["SET", $"t:{db}:{i}", $"ttl-{i}", "PXAT", (expireAt + i).ToString()]);
                if (i % 50 == 0) commands.Add(["HSET", $"h:{db}:{i}", "f1", "v1", "f2", i.ToString()]);
                if (i % 60 == 0) commands.Add(["RPUSH", $"l:{db}:{i}", "a", "b", i.ToString()]);
                if (i % 70 == 0) commands.Add(["SADD", $"is:{db}:{i}", "1", "2", i.ToString()]);
                if (i % 80 == 0) commands.Add(["ZADD", $"z:{db}:{i}", "1.5", "m", "2", i.ToString()]);
            }
            commands.Add(["SET", $"empty:{db}", ""]);
            commands.Add(["SET", $"big:{db}", new string('q', EntryFormChooser.MaxStringLength + 100)]);
            commands.Add(["SET", $"bigrandom:{db}", string.Concat(Enumerable.Range(0, 3000).Select(i => (char)('!' + (i * 7919) % 90)))]);
            commands.Add(["SET", $"int-extremes:{db}", "-2147483648"]);
            commands.Add(["SET", $"int-long:{db}", "9223372036854775807"]);
            await Redis.PipelineAsync(source, commands, db);
        }
        return source;
    }

    private static EngineOptions Options(RedisServer source, RedisServer target, RestoreBehavior behavior, RestoreForm form = RestoreForm.Auto) => new()
    {
        Source = Redis.Options(source),
        Target = Redis.Options(target),
        RestoreBehavior = behavior,
        RestoreForm = form,
        SyncAof = false,
        Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
    };

    private static async Task<long> TotalKeysAsync(RedisServer server)
    {
        long total = 0;
        foreach (var db in new[] { 0, 1, 3 }) total += await Redis.DbSizeAsync(server, db);
        return total;
    }

    [Theory]
    [InlineData(RestoreBehavior.Panic)]
    [InlineData(RestoreBehavior.Rewrite)]
    [InlineData(RestoreBehavior.Skip)]
    public async Task Every_behavior_copies_the_same_data_into_an_empty_target(RestoreBehavior behavior)
    {
        await using var source = await SourceAsync();
        await using var target = await RedisServer.StartAsync();
        var summary = await new SyncEngine(Options(source, target, behavior), new TestLogger(output)).RunAsync(CancellationToken.None);

        await DataAssert.EqualAsync(source, target);
        Assert.Equal(await TotalKeysAsync(source), summary.Final.KeysApplied);
        Assert.Equal(0, summary.Final.KeysFailed);
        Assert.Equal(behavior == RestoreBehavior.Rewrite ? summary.Final.KeysApplied : 0, summary.Final.KeysReplaced);
        foreach (var db in new[] { 0, 1, 3 })
            foreach (var i in new[] { 0, 5, 695 })
            {
                // DEBUG DIGEST sees whether a key expires, not when: the absolute times must match exactly.
                var key = $"t:{db}:{i}";
                await using var s = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(source, db));
                await using var t = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(target, db));
                Assert.Equal((await s.ExecuteAsync("PEXPIRETIME", key)).AsString(), (await t.ExecuteAsync("PEXPIRETIME", key)).AsString());
                Assert.Equal("int", (await t.ExecuteAsync("OBJECT", "ENCODING", $"n:{db}:7")).AsString());
            }
    }

    [Fact]
    public async Task Auto_and_restore_forms_leave_the_same_digest()
    {
        await using var source = await SourceAsync();
        await using var auto = await RedisServer.StartAsync();
        await using var restore = await RedisServer.StartAsync();
        await new SyncEngine(Options(source, auto, RestoreBehavior.Rewrite), new TestLogger(output)).RunAsync(CancellationToken.None);
        await new SyncEngine(Options(source, restore, RestoreBehavior.Rewrite, RestoreForm.Restore), new TestLogger(output)).RunAsync(CancellationToken.None);
        Assert.Equal((await Redis.CallAsync(restore, "DEBUG", "DIGEST")).AsString(), (await Redis.CallAsync(auto, "DEBUG", "DIGEST")).AsString());
    }

    private static async Task<(RedisServer Source, RedisServer Target)> ExistingAsync()
    {
        var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        var target = await RedisServer.StartAsync();
        var expireAt = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds().ToString();
        var commands = new List<string[]>();
        for (var i = 0; i < 300; i++) commands.Add(["SET", $"k{i}", $"src-{i}"]);
        commands.Add(["SET", "ttl", "src-ttl", "PXAT", expireAt]);
        commands.Add(["SET", "was-list", "src"]);
        await Redis.PipelineAsync(source, commands);
        // The target holds one batched key (with a TTL the source's key lacks), the TTL key, and a list under a string's name.
        await Redis.PipelineAsync(target, [["SET", "k150", "tgt", "EX", "1000"], ["SET", "ttl", "tgt"], ["RPUSH", "was-list", "x"]]);
        return (source, target);
    }

    [Fact]
    public async Task Rewrite_overwrites_existing_keys_of_any_type_and_their_ttl()
    {
        var (source, target) = await ExistingAsync();
        await using var _ = source;
        await using var __ = target;
        var summary = await new SyncEngine(Options(source, target, RestoreBehavior.Rewrite), new TestLogger(output)).RunAsync(CancellationToken.None);
        await DataAssert.EqualAsync(source, target);
        Assert.Equal(-1L, (await Redis.CallAsync(target, "PTTL", "k150")).AsInt64());
        Assert.Equal((await Redis.CallAsync(source, "PEXPIRETIME", "ttl")).AsInt64(), (await Redis.CallAsync(target, "PEXPIRETIME", "ttl")).AsInt64());
        Assert.Equal(302, summary.Final.KeysApplied);
        Assert.Equal(302, summary.Final.KeysReplaced);
    }

    [Fact]
    public async Task Skip_leaves_existing_keys_and_counts_each()
    {
        var (source, target) = await ExistingAsync();
        await using var _ = source;
        await using var __ = target;
        var summary = await new SyncEngine(Options(source, target, RestoreBehavior.Skip), new TestLogger(output)).RunAsync(CancellationToken.None);
        Assert.Equal("tgt", (await Redis.CallAsync(target, "GET", "k150")).AsString());
        Assert.Equal("tgt", (await Redis.CallAsync(target, "GET", "ttl")).AsString());
        Assert.Equal(-1L, (await Redis.CallAsync(target, "PTTL", "ttl")).AsInt64());
        Assert.Equal("list", (await Redis.CallAsync(target, "TYPE", "was-list")).AsString());
        Assert.Equal("src-0", (await Redis.CallAsync(target, "GET", "k0")).AsString());
        Assert.Equal(299, summary.Final.KeysApplied);
        Assert.Equal(3, summary.Final.KeysSkippedExisting);
        Assert.Equal(0, summary.Final.KeysFailed);
    }

    [Fact]
    public async Task Panic_stops_on_a_batched_key_and_names_it_leaving_it_alone()
    {
        var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var _ = source;
        await using var target = await RedisServer.StartAsync();
        await Redis.PipelineAsync(source, Enumerable.Range(0, 300).Select(i => new[] { "SET", $"k{i}", $"src-{i}" }));
        await Redis.CallAsync(target, "SET", "k150", "tgt");
        var error = await Assert.ThrowsAsync<TargetKeyExistsException>(() => new SyncEngine(Options(source, target, RestoreBehavior.Panic), new TestLogger(output)).RunAsync(CancellationToken.None));
        Assert.Contains("'k150'", error.Message);
        Assert.Equal("tgt", (await Redis.CallAsync(target, "GET", "k150")).AsString());
    }

    [Fact]
    public async Task Panic_stops_on_a_key_with_ttl_written_as_set_nx()
    {
        var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var _ = source;
        await using var target = await RedisServer.StartAsync();
        await Redis.CallAsync(source, "SET", "ttl", "src", "EX", "1000");
        await Redis.CallAsync(target, "SET", "ttl", "tgt");
        var error = await Assert.ThrowsAsync<TargetKeyExistsException>(() => new SyncEngine(Options(source, target, RestoreBehavior.Panic), new TestLogger(output)).RunAsync(CancellationToken.None));
        Assert.Equal("'ttl'", error.Key);
        Assert.Equal(-1L, (await Redis.CallAsync(target, "PTTL", "ttl")).AsInt64());
    }

    [Fact]
    public async Task Lru_hints_keep_the_restore_form()
    {
        var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0", "--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor", "0"]);
        await using var _ = source;
        await using var target = await RedisServer.StartAsync(["--maxmemory-policy", "allkeys-lfu"]);
        await Redis.CallAsync(source, "SET", "hot", "v");
        for (var i = 0; i < 200; i++) await Redis.CallAsync(source, "GET", "hot");
        await new SyncEngine(Options(source, target, RestoreBehavior.Rewrite), new TestLogger(output)).RunAsync(CancellationToken.None);
        // RESTORE ... FREQ carried the counter; SET would have started it at the initial value.
        Assert.True((await Redis.CallAsync(target, "OBJECT", "FREQ", "hot")).AsInt64() > 100);
    }
}
