using System.Globalization;
using System.Text;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Testing;

/// <summary>
/// The comparable state of one key: type, value rendered canonically, and when it expires (Unix ms; -1 without expiry).
/// The expiry is read as an absolute time (PEXPIRETIME), so keys read on two servers at different moments compare
/// exactly; a server without PEXPIRETIME (before 7.0) gives PTTL, turned absolute with this machine's clock.
/// </summary>
internal sealed record KeySnapshot(string Type, string Value, long ExpireAtMs)
{
    public static readonly KeySnapshot Missing = new("none", "", -2);

    public bool Exists => Type != "none" && ExpireAtMs != -2;

    public static async Task<KeySnapshot> ReadAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var typeTask = Send(client, cancellation, "TYPE"u8.ToArray(), key);
        var expiryTask = Send(client, cancellation, "PEXPIRETIME"u8.ToArray(), key);
        var type = (await typeTask).AsString()!;
        var expiry = await expiryTask;
        long expireAt;
        if (!expiry.IsError) expireAt = expiry.AsInt64();
        else
        {
            var pttl = (await Send(client, cancellation, "PTTL"u8.ToArray(), key)).AsInt64();
            expireAt = pttl < 0 ? pttl : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + pttl;
        }
        if (type == "none" || expireAt == -2) return Missing;
        var value = type switch
        {
            "string" => Render((await Send(client, cancellation, "GET"u8.ToArray(), key)).Bytes),
            "list" => RenderList(await Send(client, cancellation, "LRANGE"u8.ToArray(), key, "0"u8.ToArray(), "-1"u8.ToArray()), sort: false),
            "set" => RenderList(await Send(client, cancellation, "SMEMBERS"u8.ToArray(), key), sort: true),
            "zset" => RenderPairs(await Send(client, cancellation, "ZRANGE"u8.ToArray(), key, "0"u8.ToArray(), "-1"u8.ToArray(), "WITHSCORES"u8.ToArray()), sort: false, scores: true),
            "hash" => RenderPairs(await Send(client, cancellation, "HGETALL"u8.ToArray(), key), sort: true),
            "stream" => await RenderStreamAsync(client, key, cancellation),
            _ => $"(unsupported type {type})",
        };
        return new KeySnapshot(type, value, expireAt);
    }

    private static async Task<string> RenderStreamAsync(PipelinedClient<int> client, byte[] key, CancellationToken cancellation)
    {
        var text = new StringBuilder();
        var info = Fields(await Send(client, cancellation, "XINFO"u8.ToArray(), "STREAM"u8.ToArray(), key));
        text.Append("length=").Append(info["length"]).Append(" last-id=").Append(info["last-generated-id"]).Append(" entries=[");
        foreach (var entry in (await Send(client, cancellation, "XRANGE"u8.ToArray(), key, "-"u8.ToArray(), "+"u8.ToArray())).Items)
            text.Append(entry.Items[0].AsString()).Append(RenderPairs(entry.Items[1], sort: false)).Append(' ');
        text.Append("] groups=[");
        foreach (var group in (await Send(client, cancellation, "XINFO"u8.ToArray(), "GROUPS"u8.ToArray(), key)).Items)
        {
            var g = Fields(group);
            text.Append(g["name"]).Append(" last-delivered=").Append(g["last-delivered-id"]).Append(" pending=").Append(g["pending"]).Append(" consumers={");
            var consumers = await Send(client, cancellation, "XINFO"u8.ToArray(), "CONSUMERS"u8.ToArray(), key, Encoding.UTF8.GetBytes(g["name"]));
            foreach (var consumer in consumers.Items.Select(Fields).OrderBy(c => c["name"], StringComparer.Ordinal))
                text.Append(consumer["name"]).Append(':').Append(consumer["pending"]).Append(' ');
            var pending = await Send(client, cancellation, "XPENDING"u8.ToArray(), key, Encoding.UTF8.GetBytes(g["name"]), "-"u8.ToArray(), "+"u8.ToArray(), "1000000"u8.ToArray());
            text.Append("} pel=[");
            foreach (var p in pending.Items) text.Append(p.Items[0].AsString()).Append('@').Append(p.Items[1].AsString()).Append('#').Append(p.Items[3].AsString()).Append(' ');
            text.Append("]; ");
        }
        return text.Append(']').ToString();
    }

    private static Dictionary<string, string> Fields(RespValue flat)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < flat.Items.Count; i += 2)
        {
            var v = flat.Items[i + 1];
            fields[flat.Items[i].AsString()!] = v.Kind.IsAggregate() ? v.ToString() : v.AsString() ?? "(nil)";
        }
        return fields;
    }

    private static string RenderList(RespValue value, bool sort)
    {
        var items = value.Items.Select(i => Render(i.Bytes));
        if (sort) items = items.Order(StringComparer.Ordinal);
        return "[" + string.Join(", ", items) + "]";
    }

    private static string RenderPairs(RespValue value, bool sort, bool scores = false)
    {
        var pairs = Enumerable.Range(0, value.Items.Count / 2).Select(i => Render(value.Items[2 * i].Bytes) + "=" + (scores ? RenderScore(value.Items[2 * i + 1].Bytes) : Render(value.Items[2 * i + 1].Bytes)));
        if (sort) pairs = pairs.Order(StringComparer.Ordinal);
        return "{" + string.Join(", ", pairs) + "}";
    }

    // Servers print the same double differently (Redis 7.0: 17 significant digits; Valkey 8 and Redis 7.2+: the shortest
    // text that reads back the same, with exponents): compare the value, not the text.
    private static string RenderScore(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.ASCII.GetString(bytes);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) && double.IsFinite(score)
            ? "\"" + score.ToString("R", CultureInfo.InvariantCulture) + "\""
            : Render(bytes);
    }

    /// <summary>Printable ASCII as is, everything else as <c>\xHH</c> (so binary values compare and display exactly).</summary>
    public static string Render(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 2);
        text.Append('"');
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7f && b != '\\' && b != '"') text.Append((char)b);
            else text.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
        return text.Append('"').ToString();
    }

    private static async Task<RespValue> Send(PipelinedClient<int> client, CancellationToken cancellation, params byte[][] arguments)
    {
        var reply = await client.SendAsync(new BytesCommand([.. arguments.Select(a => new ReadOnlyMemory<byte>(a))]), cancellation);
        return reply.ThrowIfError(client.Endpoint.ToString(), Encoding.UTF8.GetString(arguments[0]));
    }
}
