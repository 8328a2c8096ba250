using Shake.Core.Conversion;
using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

public sealed class LargeValueTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Values_larger_than_the_spool_read_buffer_go_through(bool diskless)
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", diskless ? "yes" : "no", "--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        // 24 MB in one string (random bytes, so LZF cannot shrink it), far above the 4 MB read buffer of the spool.
        var value = new byte[24 * 1024 * 1024];
        new Random(5).NextBytes(value);
        await using (var c = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(source)))
            (await c.ExecuteAsync([(ReadOnlyMemory<byte>)"SET"u8.ToArray(), "huge"u8.ToArray(), value])).ThrowIfError();
        await source.CliAsync("DEBUG", "POPULATE", "10", "small", "10");
        // And a hash of about 20 MB (hashtable encoding: its value is one RDB item).
        var field = new string('f', 90);
        await Redis.PipelineAsync(source, Enumerable.Range(0, 200).Select(b => new[] { "HSET", "bighash" }.Concat(Enumerable.Range(0, 1000).SelectMany(i => new[] { $"{b}:{i}:{field}", $"{i}" })).ToArray()));
        var options = new EngineOptions
        {
            Source = Redis.Options(source),
            Target = Redis.Options(target),
            Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
            TryDiskless = true,
            SyncAof = false,
        };
        var summary = await new SyncEngine(options, new TestLogger(output)).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(12, summary.Final.KeysApplied);
        Assert.Equal(24L * 1024 * 1024, (await Redis.CallAsync(target, "STRLEN", "huge")).AsInt64());
        await DataAssert.EqualAsync(source, target);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Collections_over_the_threshold_are_written_element_by_element_and_renamed_into_place(bool diskless)
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", diskless ? "yes" : "no", "--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000");
        await source.CliAsync("DEBUG", "POPULATE", "10", "small", "10");
        var commands = new List<string[]>();
        for (var b = 0; b < 40; b++)
        {
            var range = Enumerable.Range(b * 500, 500).ToArray();
            commands.Add(["RPUSH", "big:list", .. range.Select(n => n % 97 == 0 ? new string('p', 1200) + n : "item-" + n)]);
            commands.Add(["SADD", "big:set", .. range.Select(n => "member-" + n)]);
            commands.Add(["ZADD", "big:zset", .. range.SelectMany(n => new[] { (n * 0.37).ToString("R"), "z" + n })]);
            commands.Add(["HSET", "big:hash", .. range.SelectMany(n => new[] { "field-" + n, "value-" + n })]);
            commands.AddRange(range.Where(n => n % 4 == 0).Select(n => new[] { "XADD", "big:stream", "*", "i", n.ToString(), "payload", "p" + (n % 7) }));
        }
        commands.Add(["XGROUP", "CREATE", "big:stream", "g1", "0"]);
        commands.Add(["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "100", "STREAMS", "big:stream", ">"]);
        commands.Add(["PEXPIREAT", "big:hash", "4102444800000"]);
        await Redis.PipelineAsync(source, commands);
        var summary = await SnapshotConvertingAsync(source, target, largeValueThreshold: 16 * 1024);
        // A big value that happens to arrive within one read is complete at once and goes as one RESTORE: the threshold
        // bounds what is held while waiting, it does not force a conversion.
        Assert.InRange(summary.Final.KeysConverted, 1, 5);
        Assert.Equal(15, summary.Final.KeysApplied + summary.Final.KeysConverted);
        Assert.Equal(0, summary.Final.KeysFailed);
        Assert.Equal(4102444800000, (await Redis.CallAsync(target, "PEXPIRETIME", "big:hash")).AsInt64());
        Assert.Equal(0, (await Redis.CallAsync(target, "EXISTS", "big:hash:shake-converting")).AsInt64());
        await DataAssert.EqualAsync(source, target);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_string_over_the_threshold_is_written_in_parts_and_one_over_the_targets_bulk_limit_is_refused_by_name(bool diskless)
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", diskless ? "yes" : "no", "--repl-diskless-sync-delay", "0", "--proto-max-bulk-len", "64mb"]);
        await using var target = await RedisServer.StartAsync(["--proto-max-bulk-len", (19L << 18).ToString()]); // 4.75 MB
        // Random bytes, so the server cannot store them LZF-compressed (a compressed string is held whole); more than the
        // spool lets the reader buffer (4 MB), so the string never arrives whole and always goes in parts.
        var value = new byte[9 * 512 * 1024 + 17];
        new Random(11).NextBytes(value);
        var tooLong = new byte[5 * 1024 * 1024];
        new Random(12).NextBytes(tooLong);
        await using (var c = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(source)))
        {
            (await c.ExecuteAsync([(ReadOnlyMemory<byte>)"SET"u8.ToArray(), "big:string"u8.ToArray(), value, "PXAT"u8.ToArray(), "4102444800000"u8.ToArray()])).ThrowIfError();
            (await c.ExecuteAsync([(ReadOnlyMemory<byte>)"SET"u8.ToArray(), "big:too-long"u8.ToArray(), tooLong])).ThrowIfError();
        }
        await source.CliAsync("DEBUG", "POPULATE", "10", "small", "10");
        var summary = await SnapshotConvertingAsync(source, target, largeValueThreshold: 256 * 1024);
        Assert.Equal(1, summary.Final.KeysFailed);
        Assert.Equal(1, summary.Final.KeysConverted); // the 4.5 MB string went in parts: SET, then APPENDs, then RENAME
        Assert.Contains(summary.FirstFailedKeys, f => f.Contains("big:too-long") && f.Contains("proto-max-bulk-len"));
        Assert.Equal(value.Length, (await Redis.CallAsync(target, "STRLEN", "big:string")).AsInt64());
        Assert.Equal(4102444800000, (await Redis.CallAsync(target, "PEXPIRETIME", "big:string")).AsInt64());
        Assert.Equal(0, (await Redis.CallAsync(target, "EXISTS", "big:string:shake-converting")).AsInt64());
        Assert.Equal(0, (await Redis.CallAsync(target, "EXISTS", "big:too-long")).AsInt64());
        await Redis.CallAsync(source, "DEL", "big:too-long");
        await DataAssert.EqualAsync(source, target);
    }

    [Fact]
    public async Task Restore_mode_streams_a_big_hash_and_skips_a_big_expired_list_without_holding_them()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await Redis.CallAsync(source, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
        var random = new Random(9);
        string Hex() => Convert.ToHexString(BitConverter.GetBytes(random.NextInt64())) + Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()));
        await Redis.PipelineAsync(source, Enumerable.Range(0, 200).Select(b => new[] { "HSET", "big:hash" }.Concat(Enumerable.Range(0, 500).SelectMany(i => new[] { $"f{b}:{i}", Hex() })).ToArray()));
        await Redis.PipelineAsync(source, Enumerable.Range(0, 200).Select(b => new[] { "RPUSH", "big:gone" }.Concat(Enumerable.Range(0, 500).Select(_ => Hex())).ToArray()));
        await Redis.PipelineAsync(source, [["PEXPIRE", "big:gone", "1"], ["SET", "small", "x"]]);
        await Task.Delay(20);
        (await Redis.CallAsync(source, "SAVE")).ThrowIfError();
        var logger = new TestLogger(output);
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
        var options = new EngineOptions
        {
            Mode = EngineMode.Restore,
            RdbFilePath = Path.Combine(source.Directory, "dump.rdb"),
            Target = Redis.Options(target),
            Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
            Converter = converter,
            LargeValueThresholdBytes = 256 * 1024,
        };
        var summary = await new SyncEngine(options, logger).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(1, summary.Final.KeysConverted);
        Assert.Equal(1, summary.Final.KeysApplied);
        Assert.Equal(1, summary.Final.KeysSkippedExpired);
        Assert.Equal(100_000, (await Redis.CallAsync(target, "HLEN", "big:hash")).AsInt64());
        Assert.Equal(2, await Redis.DbSizeAsync(target, 0));
        await Redis.CallAsync(source, "DEL", "big:gone");
        await DataAssert.EqualAsync(source, target);
    }

    [SharedFact]
    public async Task A_streamed_hash_keeps_its_field_expiries_on_a_7_4_target_without_piling_them_up()
    {
        var server = SharedAssets.PathOf("servers", "redis-server-7.4.1")!;
        await using var source = await RedisServer.StartAsync(serverPath: server);
        await using var target = await RedisServer.StartAsync(serverPath: server);
        const int Fields = 40_000;
        // About 6.6 MB of values that do not compress: more than the spool lets the reader buffer (4 MB), so the hash
        // can never arrive whole and always takes the streamed path, however late the parser runs.
        var random = new Random(11);
        string Value() => string.Concat(Enumerable.Range(0, 10).Select(_ => Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()))));
        await Redis.PipelineAsync(source, Enumerable.Range(0, 80).Select(b => new[] { "HSET", "big:hfe" }.Concat(Enumerable.Range(b * 500, 500).SelectMany(i => new[] { $"field-{i}", Value() })).ToArray()));
        await Redis.PipelineAsync(source, Enumerable.Range(0, Fields / 2).Select(i => new[] { "HPEXPIREAT", "big:hfe", (4102444800000 + i % 100).ToString(), "FIELDS", "1", $"field-{i * 2}" }));
        var summary = await SnapshotConvertingAsync(source, target, largeValueThreshold: 16 * 1024);
        Assert.Equal(1, summary.Final.KeysConverted);
        Assert.Equal(Fields, (await Redis.CallAsync(target, "HLEN", "big:hfe")).AsInt64());
        foreach (var i in new[] { 0, 1, 2, 9998, 20001, 39998, 39999 })
        {
            var expected = (await Redis.CallAsync(source, "HPEXPIRETIME", "big:hfe", "FIELDS", "1", $"field-{i}")).Items[0].AsInt64();
            Assert.Equal(expected, (await Redis.CallAsync(target, "HPEXPIRETIME", "big:hfe", "FIELDS", "1", $"field-{i}")).Items[0].AsInt64());
        }
        // 20000 expiries at 100 times: written in two rounds (after 16384 of them, then at the end), not held to the end.
        var stats = (await Redis.CallAsync(target, "INFO", "commandstats")).AsString()!;
        var calls = long.Parse(stats.Split("\r\n").Single(l => l.StartsWith("cmdstat_hpexpireat:", StringComparison.Ordinal)).Split("calls=")[1].Split(',')[0]);
        Assert.InRange(calls, 150, 200);
        await DataAssert.EqualAsync(source, target);
    }

    // A snapshot-only sync (sync_aof = false) with the plain-command converter, so values over the threshold can stream.
    private async Task<EngineSummary> SnapshotConvertingAsync(RedisServer source, RedisServer target, long largeValueThreshold)
    {
        var logger = new TestLogger(output);
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
        var options = new EngineOptions
        {
            Source = Redis.Options(source),
            Target = Redis.Options(target),
            Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
            TryDiskless = true,
            SyncAof = false,
            Converter = converter,
            LargeValueThresholdBytes = largeValueThreshold,
        };
        return await new SyncEngine(options, logger).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
    }
}
