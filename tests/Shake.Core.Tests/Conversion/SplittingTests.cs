using Shake.Core.Configuration;
using Shake.TestSupport;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Shake.Core.Conversion;
using Shake.Core.Writers;
using Shake.Testing;

namespace Shake.Core.Tests.Conversion;

/// <summary>
/// Values whose RESTORE payload exceeds <c>target_redis_proto_max_bulk_len</c> are split into element batches that each
/// stay under the limit; what cannot be split (a string, or one element, over the limit) is reported by key.
/// </summary>
public sealed class SplittingTests
{
    private const int BulkLimit = 4096;

    [Fact]
    public async Task Big_collections_are_split_into_commands_under_the_bulk_limit_and_arrive_whole()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await using var sourceClient = await RawRespClient.ConnectAsync(source.Port);
        var random = new Random(7);
        string Element(int i) => i.ToString("D6", CultureInfo.InvariantCulture) + new string((char)('a' + i % 26), 90 + i % 17);
        for (var batch = 0; batch < 3000; batch += 500)
        {
            await sourceClient.ExecuteAsync(["RPUSH", "big:list", .. Enumerable.Range(batch, 500).Select(Element)]);
            await sourceClient.ExecuteAsync(["SADD", "big:set", .. Enumerable.Range(batch, 500).Select(Element)]);
            await sourceClient.ExecuteAsync(["HSET", "big:hash", .. Enumerable.Range(batch, 500).SelectMany(i => new[] { "f" + Element(i), Element(i + 1) })]);
            await sourceClient.ExecuteAsync(["ZADD", "big:zset", .. Enumerable.Range(batch, 500).SelectMany(i => new[]
            {
                (i % 7 == 0 ? random.NextDouble() * 1e-300 : i % 11 == 0 ? -random.NextDouble() * 1e300 : random.NextDouble() * 1000 - 500).ToString("R", CultureInfo.InvariantCulture),
                Element(i),
            })]);
        }
        await sourceClient.ExecuteAsync("ZADD", "big:zset", "inf", "plus-infinity", "-inf", "minus-infinity", "0.1", "a-tenth");
        var keys = new[] { "big:list", "big:set", "big:hash", "big:zset" };
        var expireAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var entries = new List<DumpedEntry>();
        foreach (var key in keys) entries.Add(await DumpedEntry.ReadAsync(sourceClient, key, key == "big:hash" ? expireAt : -1));
        Assert.All(entries, e => Assert.True(e.Body.Length > BulkLimit));

        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
        var measuring = new MeasuringConverter(converter);
        var (result, failure) = await EntryWriting.WriteAsync(target, new TargetWriterOptions { Converter = measuring, ProtoMaxBulkLength = BulkLimit, Behavior = RestoreBehavior.Panic }, logger, [.. entries]);

        Assert.Null(failure);
        Assert.Empty(logger.At(LogLevel.Error));
        Assert.Equal(4, result.KeysConverted);
        await using var targetClient = await RawRespClient.ConnectAsync(target.Port);
        foreach (var key in keys) Assert.Equal(await KeyContent.ReadAsync(sourceClient, key), await KeyContent.ReadAsync(targetClient, key));
        var pexpiretime = (long)(await targetClient.ExecuteAsync("PEXPIRETIME", "big:hash"))!;
        Assert.Equal(expireAt, pexpiretime);
        Assert.Equal(-1L, (long)(await targetClient.ExecuteAsync("PEXPIRETIME", "big:list"))!);
        Assert.Equal(4L, (long)(await targetClient.ExecuteAsync("DBSIZE"))!);

        foreach (var name in new[] { "RPUSH", "SADD", "HSET", "ZADD" })
        {
            var commands = measuring.Commands.Where(c => c.Name == name).ToList();
            Assert.True(commands.Count > 20, $"{name} was sent as {commands.Count} commands");
            // The budget covers the arguments; the array header adds at most a few bytes.
            Assert.All(commands, c => Assert.True(c.Bytes <= BulkLimit + 8, $"{name} command of {c.Bytes} bytes"));
        }
        Assert.Equal(4, measuring.Commands.Count(c => c.Name == "RENAMENX"));
    }

    private static readonly Random Text = new(11);

    private static string RandomText(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[Text.Next(alphabet.Length)];
        });
    }

    [Fact]
    public async Task Collections_over_the_servers_own_bulk_limit_are_accepted_by_it_when_split()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync(["--proto-max-bulk-len", "1mb"]);
        await using var sourceClient = await RawRespClient.ConnectAsync(source.Port);
        // Random text, so the RDB's LZF compression cannot bring the payload back under the limit.
        for (var i = 0; i < 1300; i += 100)
            await sourceClient.ExecuteAsync(["RPUSH", "huge", .. Enumerable.Range(i, 100).Select(n => n + RandomText(1000))]);
        var entry = await DumpedEntry.ReadAsync(sourceClient, "huge");
        Assert.True(entry.Body.Length > 1 << 20);

        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
        var (result, failure) = await EntryWriting.WriteAsync(target, new TargetWriterOptions { Converter = converter, Behavior = RestoreBehavior.Panic }, logger, entry);

        Assert.Null(failure);
        Assert.Equal(1, result.KeysConverted);
        await using var targetClient = await RawRespClient.ConnectAsync(target.Port);
        Assert.Equal(await KeyContent.ReadAsync(sourceClient, "huge"), await KeyContent.ReadAsync(targetClient, "huge"));
    }

    [Fact]
    public async Task Strings_and_elements_over_the_limit_are_reported_by_key_and_leave_nothing_behind()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await using var sourceClient = await RawRespClient.ConnectAsync(source.Port);
        await sourceClient.ExecuteAsync("SET", "long:string", RandomText(BulkLimit + 100));
        await sourceClient.ExecuteAsync(["RPUSH", "list:with:long:element", .. Enumerable.Range(0, 200).Select(i => "small" + i), RandomText(BulkLimit + 1), "after"]);
        await sourceClient.ExecuteAsync(["RPUSH", "fine:list", .. Enumerable.Range(0, 400).Select(i => i + RandomText(20))]);
        var entries = new[]
        {
            await DumpedEntry.ReadAsync(sourceClient, "long:string"),
            await DumpedEntry.ReadAsync(sourceClient, "list:with:long:element"),
            await DumpedEntry.ReadAsync(sourceClient, "fine:list"),
        };

        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
        var (result, failure) = await EntryWriting.WriteAsync(target, new TargetWriterOptions { Converter = converter, ProtoMaxBulkLength = BulkLimit, Behavior = RestoreBehavior.Panic }, logger, entries);

        Assert.Null(failure);
        Assert.Equal(2, result.KeysFailed);
        Assert.Equal(1, result.KeysConverted);
        var errors = logger.At(LogLevel.Error).ToList();
        Assert.Contains(errors, e => e.Contains("long:string", StringComparison.Ordinal) && e.Contains("string", StringComparison.Ordinal) && e.Contains("cannot be split", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("list:with:long:element", StringComparison.Ordinal) && e.Contains("list element", StringComparison.Ordinal));
        await using var targetClient = await RawRespClient.ConnectAsync(target.Port);
        // Neither the failed keys nor their staging keys exist; the good key does.
        var keys = ((object?[])(await targetClient.ExecuteAsync("KEYS", "*"))!).Select(k => System.Text.Encoding.UTF8.GetString((byte[])k!)).ToList();
        Assert.Equal(["fine:list"], keys);
    }
}
