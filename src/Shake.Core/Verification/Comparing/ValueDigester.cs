using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Shake.Core.Verification.Model;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Verification.Comparing;

/// <summary>
/// Computes a value's digest from the value itself, for servers without <c>DEBUG DIGEST-VALUE</c> and to confirm a
/// server digest mismatch (server digests also differ when only one side has an expiry, and their algorithm is not
/// promised across versions). Values up to <see cref="BigValueThreshold"/> are read with one command; bigger ones in
/// windows (GETRANGE, LRANGE, ZRANGE by rank, XRANGE, and SSCAN/HSCAN whose repeats are dropped), hashed as they come
/// so a big value is never held whole. Strings, lists, sorted sets and streams hash in order; sets and hashes as the
/// sum of per-element hashes, so their order does not matter. Scores hash as doubles (their text differs between
/// versions). Streams: entries, last id, and per consumer group its name, last delivered id and pending count.
/// Module values: their DUMP payload (comparable only between equal server versions).
/// </summary>
public sealed class ValueDigester(int bigValueThreshold)
{
    private const int Window = 1000;
    private const int StringWindow = 1 << 20;

    /// <summary>Values with more elements (or bytes) than this are read in windows.</summary>
    public int BigValueThreshold { get; } = bigValueThreshold;

    /// <summary>The digest of <paramref name="key"/>'s value, read as a <paramref name="type"/>; null when the key vanished or changed type meanwhile.</summary>
    public async Task<UInt128?> DigestAsync(PipelinedClient<int> client, byte[] key, RedisValueType type, CancellationToken cancellation)
    {
        try
        {
            return type switch
            {
                RedisValueType.String => await StringAsync(client, key, cancellation),
                RedisValueType.List => await ListAsync(client, key, cancellation),
                RedisValueType.Set => await SetAsync(client, key, cancellation),
                RedisValueType.ZSet => await SortedSetAsync(client, key, cancellation),
                RedisValueType.Hash => await HashAsync(client, key, cancellation),
                RedisValueType.Stream => await StreamAsync(client, key, cancellation),
                RedisValueType.Other => await DumpAsync(client, key, cancellation),
                _ => null,
            };
        }
        catch (RedisServerException e) when (e.Error.Kind == RespErrorKind.WrongType)
        {
            return null;
        }
    }

    /// <summary>The length of a value: bytes of a string, elements otherwise; -1 for module values and missing keys.</summary>
    public static async Task<long> LengthAsync(PipelinedClient<int> client, byte[] key, RedisValueType type, CancellationToken cancellation)
    {
        var command = type switch
        {
            RedisValueType.String => "STRLEN",
            RedisValueType.List => "LLEN",
            RedisValueType.Set => "SCARD",
            RedisValueType.ZSet => "ZCARD",
            RedisValueType.Hash => "HLEN",
            RedisValueType.Stream => "XLEN",
            _ => null,
        };
        if (command is null) return -1;
        var reply = await client.SendAsync(Command(command, key), cancellation);
        return reply.IsError ? -1 : reply.AsInt64();
    }

    private async Task<UInt128?> StringAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var length = await LengthAsync(client, key, RedisValueType.String, cancellation);
        var hash = new XxHash128();
        if (length <= BigValueThreshold)
        {
            var value = await SendAsync(client, Command("GET", key), cancellation);
            if (value.IsNull) return null;
            hash.Append(value.Bytes);
            return hash.GetCurrentHashAsUInt128();
        }
        for (long start = 0; start < length; start += StringWindow)
        {
            var part = await SendAsync(client, Command("GETRANGE", key, start, start + StringWindow - 1), cancellation);
            hash.Append(part.Bytes);
        }
        return hash.GetCurrentHashAsUInt128();
    }

    private static async Task<UInt128?> ListAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var hash = new XxHash128();
        for (long start = 0; ; start += Window)
        {
            var items = (await SendAsync(client, Command("LRANGE", key, start, start + Window - 1), cancellation)).Items;
            foreach (var item in items) AppendElement(hash, item.Bytes);
            if (items.Count < Window) break;
        }
        return hash.GetCurrentHashAsUInt128();
    }

    private async Task<UInt128?> SetAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var length = await LengthAsync(client, key, RedisValueType.Set, cancellation);
        if (length <= BigValueThreshold)
        {
            return ValueHash.OfSet((await SendAsync(client, Command("SMEMBERS", key), cancellation)).Items);
        }
        var seen = new HashSet<UInt128>();
        UInt128 total = 0;
        await foreach (var items in ScanAsync(client, "SSCAN", key, cancellation))
            foreach (var member in items)
            {
                var h = ValueHash.OfMember(member.Bytes);
                if (seen.Add(h)) total += h;
            }
        return total;
    }

    private async Task<UInt128?> HashAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var length = await LengthAsync(client, key, RedisValueType.Hash, cancellation);
        if (length <= BigValueThreshold)
        {
            return ValueHash.OfHash((await SendAsync(client, Command("HGETALL", key), cancellation)).Items);
        }
        var seen = new HashSet<UInt128>();
        UInt128 total = 0;
        await foreach (var items in ScanAsync(client, "HSCAN", key, cancellation))
            for (var i = 0; i + 1 < items.Count; i += 2)
                if (seen.Add(XxHash128.HashToUInt128(items[i].Bytes))) total += ValueHash.OfPair(items[i].Bytes, items[i + 1].Bytes);
        return total;
    }

    private static async Task<UInt128?> SortedSetAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var hash = new XxHash128();
        for (long start = 0; ; start += Window)
        {
            var items = (await SendAsync(client, Command("ZRANGE", key, start, start + Window - 1, "WITHSCORES"), cancellation)).Items;
            ValueHash.AppendScored(hash, items);
            if (items.Count < 2 * Window) break;
        }
        return hash.GetCurrentHashAsUInt128();
    }

    private static async Task<UInt128?> StreamAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var hash = new XxHash128();
        var start = "-";
        while (true)
        {
            var entries = (await SendAsync(client, Command("XRANGE", key, start, "+", "COUNT", Window), cancellation)).Items;
            foreach (var entry in entries)
            {
                AppendElement(hash, entry.Items[0].Bytes);
                foreach (var field in entry.Items[1].Items) AppendElement(hash, field.Bytes);
            }
            if (entries.Count < Window) break;
            start = "(" + entries[^1].Items[0].AsString();
        }
        var info = await SendAsync(client, Command("XINFO", "STREAM", key), cancellation);
        AppendElement(hash, Field(info, "last-generated-id"));
        var groups = (await SendAsync(client, Command("XINFO", "GROUPS", key), cancellation)).Items
            .Select(g => (Name: Field(g, "name"), Delivered: Field(g, "last-delivered-id"), Pending: Field(g, "pending")))
            .OrderBy(g => Convert.ToHexString(g.Name), StringComparer.Ordinal);
        foreach (var (name, delivered, pending) in groups)
        {
            AppendElement(hash, name);
            AppendElement(hash, delivered);
            AppendElement(hash, pending);
        }
        return hash.GetCurrentHashAsUInt128();
    }

    private static async Task<UInt128?> DumpAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var payload = await SendAsync(client, Command("DUMP", key), cancellation);
        return payload.IsNull ? null : XxHash128.HashToUInt128(payload.Bytes);
    }

    private static async IAsyncEnumerable<IReadOnlyList<RespValue>> ScanAsync(PipelinedClient<int> client, string command, byte[] key, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        var cursor = "0";
        do
        {
            var reply = await SendAsync(client, Command(command, key, cursor, "COUNT", Window), cancellation);
            cursor = reply.Items[0].AsString()!;
            yield return reply.Items[1].Items;
        } while (cursor != "0");
    }

    // Flattened key/value lists of XINFO (RESP2): the value after the field named name, as bytes.
    private static byte[] Field(RespValue flat, string name)
    {
        for (var i = 0; i + 1 < flat.Items.Count; i += 2)
            if (flat.Items[i].AsString() == name)
            {
                var value = flat.Items[i + 1];
                return value.Kind == RespKind.Integer ? Encoding.ASCII.GetBytes(value.Integer.ToString(CultureInfo.InvariantCulture)) : value.Bytes;
            }
        return [];
    }

    private static void AppendElement(XxHash128 hash, ReadOnlySpan<byte> element) => ValueHash.AppendElement(hash, element);

    private static async Task<RespValue> SendAsync(PipelinedClient<int> client, BytesCommand command, CancellationToken cancellation)
    {
        var reply = await client.SendAsync(command, cancellation);
        return reply.ThrowIfError(client.Endpoint.ToString(), Encoding.ASCII.GetString(command.Arguments[0].Span));
    }

    private static BytesCommand Command(string name, byte[] key, params object[] more)
    {
        var arguments = new ReadOnlyMemory<byte>[2 + more.Length];
        arguments[0] = Encoding.ASCII.GetBytes(name);
        arguments[1] = key;
        for (var i = 0; i < more.Length; i++)
            arguments[2 + i] = Encoding.UTF8.GetBytes(Convert.ToString(more[i], CultureInfo.InvariantCulture)!);
        return new BytesCommand(arguments);
    }

    private static BytesCommand Command(string name, string sub, byte[] key) =>
        new([Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(sub), key]);
}
