using Shake.Core.Configuration;
using Shake.TestSupport;
using Microsoft.Extensions.Logging;
using Shake.Core.Conversion;
using Shake.Core.Writers;
using Shake.Testing;

namespace Shake.Core.Tests.Conversion;

/// <summary>A converted key meets an existing one on the target the way RESTORE would: replaced, skipped, or a stop.</summary>
public sealed class BehaviorTests
{
    private static async Task<(RedisServer Source, RedisServer Target, DumpedEntry Entry)> PrepareAsync()
    {
        var source = await RedisServer.StartAsync();
        var target = await RedisServer.StartAsync();
        await using var sourceClient = await RawRespClient.ConnectAsync(source.Port);
        await sourceClient.ExecuteAsync(["RPUSH", "shared:key", .. Enumerable.Range(0, 300).Select(i => "value-" + i)]);
        await using var targetClient = await RawRespClient.ConnectAsync(target.Port);
        await targetClient.ExecuteAsync("SET", "shared:key", "the target's own value");
        await targetClient.ExecuteAsync("EXPIRE", "shared:key", "1000");
        return (source, target, await DumpedEntry.ReadAsync(sourceClient, "shared:key"));
    }

    private static TargetWriterOptions Options(IEntryConverter converter, RestoreBehavior behavior) =>
        new() { Converter = converter, Behavior = behavior, ProtoMaxBulkLength = 512 };

    [Fact]
    public async Task Rewrite_replaces_the_existing_key_and_its_ttl()
    {
        var (source, target, entry) = await PrepareAsync();
        await using var _ = source;
        await using var __ = target;
        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);

        var (result, failure) = await EntryWriting.WriteAsync(target, Options(converter, RestoreBehavior.Rewrite), logger, entry);

        Assert.Null(failure);
        Assert.Equal(1, result.KeysConverted);
        await using var sourceClient = await RawRespClient.ConnectAsync(source.Port);
        await using var targetClient = await RawRespClient.ConnectAsync(target.Port);
        Assert.Equal(await KeyContent.ReadAsync(sourceClient, "shared:key"), await KeyContent.ReadAsync(targetClient, "shared:key"));
        Assert.Equal(-1L, (long)(await targetClient.ExecuteAsync("PTTL", "shared:key"))!);
        Assert.Equal(1L, (long)(await targetClient.ExecuteAsync("DBSIZE"))!);
    }

    [Fact]
    public async Task Skip_keeps_the_existing_key_counts_it_and_removes_the_staging_key()
    {
        var (source, target, entry) = await PrepareAsync();
        await using var _ = source;
        await using var __ = target;
        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);

        var (result, failure) = await EntryWriting.WriteAsync(target, Options(converter, RestoreBehavior.Skip), logger, entry);

        Assert.Null(failure);
        Assert.Equal(0, result.KeysConverted);
        Assert.Equal(1, result.KeysSkippedExisting);
        await using var targetClient = await RawRespClient.ConnectAsync(target.Port);
        Assert.Equal("string:the target's own value", await KeyContent.ReadAsync(targetClient, "shared:key"));
        Assert.Equal(1L, (long)(await targetClient.ExecuteAsync("DBSIZE"))!);
    }

    [Fact]
    public async Task Panic_stops_naming_the_key_and_leaves_the_target_key_alone()
    {
        var (source, target, entry) = await PrepareAsync();
        await using var _ = source;
        await using var __ = target;
        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);

        var (_, failure) = await EntryWriting.WriteAsync(target, Options(converter, RestoreBehavior.Panic), logger, entry);

        var exists = Assert.IsType<TargetKeyExistsException>(failure);
        Assert.Contains("shared:key", exists.Message, StringComparison.Ordinal);
        await using var targetClient = await RawRespClient.ConnectAsync(target.Port);
        Assert.Equal("string:the target's own value", await KeyContent.ReadAsync(targetClient, "shared:key"));
    }

    [Fact]
    public async Task Module_values_are_refused_naming_key_and_module_type()
    {
        await using var target = await RedisServer.StartAsync();
        var moduleId = ModuleId("ReJSON-RL", 3);
        // Module value body: the 64-bit type id as an RDB length (0x81 + 8 bytes big-endian), then the EOF opcode.
        var body = new byte[10];
        body[0] = 0x81;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(body.AsSpan(1), moduleId);
        var entry = new DumpedEntry("json:doc"u8.ToArray(), 7, body, 11, -1);
        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);

        var (result, failure) = await EntryWriting.WriteAsync(target, Options(converter, RestoreBehavior.Panic), logger, entry);

        Assert.Null(failure);
        Assert.Equal(1, result.KeysFailed);
        Assert.Contains(logger.At(LogLevel.Error), e => e.Contains("json:doc", StringComparison.Ordinal) && e.Contains("ReJSON-RL", StringComparison.Ordinal));
    }

    internal static ulong ModuleId(string name, int encodingVersion)
    {
        const string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        ulong id = 0;
        foreach (var c in name) id = (id << 6) | (uint)charset.IndexOf(c);
        return (id << 10) | (uint)encodingVersion;
    }
}
