using System.Globalization;
using System.Text;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Testing;

/// <summary>
/// Fills a standalone server with deterministic data of every type and internal encoding, so replication and RDB tests
/// cover them all: strings (short, long/raw, binary, integer, empty), lists (listpack and multi-node quicklist),
/// sets (intset, small, hashtable), sorted sets (listpack, skiplist), hashes (listpack, hashtable),
/// streams (with deleted entries, consumer groups, consumers and pending entries), TTLs on several types, several dbs.
/// </summary>
public static class TestDataWriter
{
    /// <summary>The kinds of key written per index; each key is named <c>{kind}:{index}</c>.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
    [
        "string:small", "string:large", "string:binary", "string:int", "string:empty",
        "list:small", "list:large", "set:int", "set:small", "set:large",
        "zset:small", "zset:large", "hash:small", "hash:large", "stream", "ttl:string",
    ];

    /// <summary>
    /// Writes <paramref name="keysPerKind"/> keys of every kind into each db in <paramref name="dbs"/> (default db 0)
    /// and returns the number of keys written. Every third small list/hash/zset and every ttl:string key get a TTL of about an hour.
    /// </summary>
    public static async Task<int> PopulateAsync(string address, int keysPerKind, IReadOnlyList<int>? dbs = null, string? password = null, CancellationToken cancellation = default, string? username = null)
    {
        var total = 0;
        foreach (var db in dbs is { Count: > 0 } ? dbs : [0])
        {
            var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = address, Password = password, Username = username, Database = db }, cancellation);
            var errors = new ErrorCollector();
            await using var client = new PipelinedClient<int>(connection, 512, errors);
            var sequence = 0;
            // Awaited one after another so the server sees them in this order (a stream's XADDs before its groups).
            foreach (var command in Commands(keysPerKind, db))
                await client.EnqueueAsync(sequence++, new BytesCommand([.. command.Arguments.Select(a => new ReadOnlyMemory<byte>(a))]), cancellation);
            await client.DrainAsync(cancellation);
            if (errors.First is { } first)
                throw new InvalidOperationException($"populating db {db} of {address}: {errors.Count} commands failed, first: {first}");
            total += keysPerKind * Kinds.Count;
        }
        return total;
    }

    /// <summary>
    /// The commands <see cref="PopulateAsync"/> sends to one db, in order, each with the key it writes (for routing in a
    /// cluster: keys of one index share no slot, so the data spreads over every master).
    /// </summary>
    public static IEnumerable<DataCommand> Commands(int keysPerKind, int db = 0)
    {
        var random = new Random(7919 * (db + 1));
        for (var i = 0; i < keysPerKind; i++)
            foreach (var command in CommandsFor(db, i, random))
                yield return new DataCommand(KeyOf(command), command);
    }

    private static byte[] KeyOf(byte[][] command)
    {
        var name = System.Text.Encoding.ASCII.GetString(command[0]);
        if (name == "XGROUP") return command[2];
        if (name == "XREADGROUP") return command[Array.FindIndex(command, a => a.AsSpan().SequenceEqual("STREAMS"u8)) + 1];
        return command[1];
    }

    private sealed class ErrorCollector : IReplyHandler<int>
    {
        public string? First;
        public int Count;

        public void OnReply(in int tag, in RespReply reply)
        {
            if (!reply.IsError) return;
            Count++;
            First ??= $"command #{tag}: {reply.GetError().Message}";
        }

        public void OnFailed(in int tag, Exception error) => First ??= $"command #{tag}: {error.Message}";
    }

    private static IEnumerable<byte[][]> CommandsFor(int db, int i, Random random)
    {
        static byte[] T(string s) => Encoding.UTF8.GetBytes(s);
        static byte[] N(long n) => T(n.ToString(CultureInfo.InvariantCulture));
        string Ascii(int length) => string.Create(length, random, static (span, r) => { for (var k = 0; k < span.Length; k++) span[k] = (char)r.Next('a', 'z' + 1); });
        byte[] Key(string kind) => T($"{kind}:{i}");
        var withTtl = i % 3 == 0;

        yield return [T("SET"), Key("string:small"), T($"value-{db}-{i}")];
        yield return [T("SET"), Key("string:large"), T(Ascii(5000 + i))];
        var binary = new byte[64 + i % 64];
        random.NextBytes(binary);
        binary[0] = 0;
        binary[1] = (byte)'\r';
        binary[2] = (byte)'\n';
        yield return [T("SET"), Key("string:binary"), binary];
        yield return [T("SET"), Key("string:int"), N(i * 7919L - 5000)];
        yield return [T("SET"), Key("string:empty"), []];

        yield return [T("RPUSH"), Key("list:small"), .. Enumerable.Range(0, 5).Select(k => T($"e{k}-{i}"))];
        yield return [T("RPUSH"), Key("list:large"), .. Enumerable.Range(0, 1500).Select(k => T($"{k:D6}-{Ascii(24)}"))];

        yield return [T("SADD"), Key("set:int"), .. Enumerable.Range(0, 20).Select(k => N(k * 37L - 100 + i))];
        yield return [T("SADD"), Key("set:small"), .. Enumerable.Range(0, 10).Select(k => T($"m{k}-{i}"))];
        yield return [T("SADD"), Key("set:large"), .. Enumerable.Range(0, 600).Select(k => T($"member-{k}-{Ascii(8)}"))];

        yield return [T("ZADD"), Key("zset:small"), .. Enumerable.Range(0, 10).SelectMany(k => new[] { T((k * 1.5 - 3).ToString("R", CultureInfo.InvariantCulture)), T($"z{k}") })];
        yield return [T("ZADD"), Key("zset:large"), .. Enumerable.Range(0, 300).SelectMany(k => new[] { T((random.NextDouble() * 1e6).ToString("R", CultureInfo.InvariantCulture)), T($"zm{k}-{Ascii(6)}") })];

        yield return [T("HSET"), Key("hash:small"), .. Enumerable.Range(0, 10).SelectMany(k => new[] { T($"f{k}"), T($"v{k}-{i}") })];
        yield return [T("HSET"), Key("hash:large"), .. Enumerable.Range(0, 600).SelectMany(k => new[] { T($"field-{k}"), T(Ascii(10)) })];

        var stream = Key("stream");
        for (var k = 1; k <= 30; k++)
            yield return [T("XADD"), stream, T($"{1_700_000_000_000L + k}-{i}"), T("n"), N(k), T("payload"), T(Ascii(12))];
        yield return [T("XDEL"), stream, T($"{1_700_000_000_000L + 5}-{i}")];
        yield return [T("XGROUP"), T("CREATE"), stream, T("readers"), T("0")];
        yield return [T("XREADGROUP"), T("GROUP"), T("readers"), T("alice"), T("COUNT"), T("10"), T("STREAMS"), stream, T(">")];
        yield return [T("XREADGROUP"), T("GROUP"), T("readers"), T("bob"), T("COUNT"), T("4"), T("STREAMS"), stream, T(">")];
        yield return [T("XACK"), stream, T("readers"), T($"{1_700_000_000_000L + 1}-{i}"), T($"{1_700_000_000_000L + 2}-{i}")];
        yield return [T("XGROUP"), T("CREATE"), stream, T("latecomers"), T("$")];

        yield return [T("SET"), Key("ttl:string"), T($"expiring-{i}"), T("PX"), N(3_600_000 + i * 1000L)];
        if (withTtl)
        {
            foreach (var kind in new[] { "list:small", "hash:small", "zset:small" })
                yield return [T("PEXPIRE"), Key(kind), N(3_600_000 + i * 1000L)];
        }
    }
}

/// <summary>One command of the test data set and the key it writes.</summary>
/// <param name="Key">The key (for routing).</param>
/// <param name="Arguments">The command, name first.</param>
public sealed record DataCommand(byte[] Key, byte[][] Arguments);
