using Shake.TestSupport;
using System.Buffers;
using System.Text;
using Shake.Core.Engine;
using Shake.Core.Writers;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Core.Tests.Conversion;

/// <summary>A key as the source server DUMPs it, turned into the entry the RDB parser would produce.</summary>
internal sealed record DumpedEntry(byte[] Key, byte Type, byte[] Body, int RdbVersion, long ExpireAtMs)
{
    public static async Task<DumpedEntry> ReadAsync(RawRespClient source, string key, long expireAtMs = -1)
    {
        var dump = await source.BytesAsync("DUMP", key);
        // Payload: type byte, value, 2-byte RDB version, 8-byte CRC64.
        var version = dump[^10] | (dump[^9] << 8);
        return new DumpedEntry(Encoding.UTF8.GetBytes(key), dump[0], dump[1..^10], version, expireAtMs);
    }

    public RdbEntry ToEntry()
    {
        Assert.True(RdbTypeInfo.TryGetLogicalType(Type, RdbMagicKind.Redis, out var logical));
        return new RdbEntry(0, Key, Type, logical, new ReadOnlySequence<byte>(Body), ExpireAtMs, -1, -1, RdbVersion, RdbMagicKind.Redis, 0, default);
    }
}

/// <summary>Writes entries through a real <see cref="TargetWriter"/>, as the engine does.</summary>
internal static class EntryWriting
{
    public static async Task<(EngineSnapshot Result, Exception? Failure)> WriteAsync(RedisServer target, TargetWriterOptions options, ListLogger logger, params DumpedEntry[] entries)
    {
        var statistics = new EngineStatistics();
        await using var writer = await TargetWriter.ConnectAsync(new RedisConnectionOptions { Address = target.Address }, options, statistics, logger, CancellationToken.None);
        foreach (var entry in entries)
        {
            writer.WriteEntry(entry.ToEntry(), 0);
            await writer.WaitForBacklogAsync();
        }
        Exception? failure = null;
        try
        {
            await writer.DrainAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            failure = e;
        }
        if (failure is null && writer.Failure.IsFaulted) failure = writer.Failure.Exception!.InnerException;
        return (statistics.Snapshot(), failure);
    }
}

/// <summary>Reads a key back in a comparable text form (sets and hashes sorted, scores as the server prints them).</summary>
internal static class KeyContent
{
    public static async Task<string> ReadAsync(RawRespClient client, string key)
    {
        var type = Encoding.UTF8.GetString(await client.BytesAsync("TYPE", key));
        IEnumerable<string> items = type switch
        {
            "string" => [Encoding.UTF8.GetString(await client.BytesAsync("GET", key))],
            "list" => (await client.ListAsync("LRANGE", key, "0", "-1")).Select(Text),
            "set" => (await client.ListAsync("SMEMBERS", key)).Select(Text).Order(StringComparer.Ordinal),
            "zset" => (await client.ListAsync("ZRANGE", key, "0", "-1", "WITHSCORES")).Select(Text),
            "hash" => Pairs(await client.ListAsync("HGETALL", key)).Order(StringComparer.Ordinal),
            "none" => [],
            _ => throw new InvalidOperationException($"type {type} not handled"),
        };
        return type + ":" + string.Join("|", items);
    }

    private static string Text(byte[] bytes) => Convert.ToHexString(bytes);

    private static IEnumerable<string> Pairs(List<byte[]> flat)
    {
        for (var i = 0; i < flat.Count; i += 2) yield return Text(flat[i]) + "=" + Text(flat[i + 1]);
    }
}
