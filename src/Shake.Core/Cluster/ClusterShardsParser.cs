using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Core.Cluster;

/// <summary>
/// Reads a <c>CLUSTER SHARDS</c> reply (Redis 7.0+): per shard a <c>slots</c> list of start, end pairs and a <c>nodes</c>
/// list of key/value records (id, port, tls-port, ip, endpoint, hostname, role, replication-offset, health). RESP3 maps and
/// RESP2 flat arrays arrive the same way, as key, value, key, value items.
/// </summary>
internal static class ClusterShardsParser
{
    public static ClusterTopology Parse(RespValue reply, string connectedAddress, bool tls)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsError) throw new FormatException($"CLUSTER SHARDS failed: {reply.AsString()}");
        if (!reply.Kind.IsAggregate()) throw new FormatException($"CLUSTER SHARDS reply is a {reply.Kind}, expected an array of shards");
        var connected = RedisEndpoint.Parse(connectedAddress);
        var nodes = new List<ClusterNode>();
        foreach (var shard in reply.Items)
        {
            var fields = Fields(shard, "shard");
            var slots = ParseSlots(fields.GetValueOrDefault("slots"));
            if (!fields.TryGetValue("nodes", out var list) || !list.Kind.IsAggregate())
                throw new FormatException($"CLUSTER SHARDS shard without a nodes list: {shard}");
            var members = list.Items.Select(n => Fields(n, "node")).ToList();
            // A shard's replicas follow its master; a shard whose master failed and has not been replaced has none.
            var masterId = members.FirstOrDefault(m => Text(m, "role") == "master") is { } master ? Text(master, "id") : null;
            foreach (var member in members)
            {
                var id = Text(member, "id") ?? throw new FormatException($"CLUSTER SHARDS node without an id: {string.Join(", ", member.Keys)}");
                var isMaster = Text(member, "role") == "master";
                var address = ParseAddress(member, connected, tls);
                var healthy = Text(member, "health") == "online" && address.Length > 0;
                nodes.Add(new ClusterNode(id, address, isMaster, isMaster ? null : masterId, healthy, isMaster ? slots : []));
            }
        }
        return new ClusterTopology(nodes);
    }

    private static List<SlotRange> ParseSlots(RespValue? value)
    {
        if (value is null || value.IsNull) return [];
        if (!value.Kind.IsAggregate() || value.Items.Count % 2 != 0)
            throw new FormatException($"CLUSTER SHARDS slots should be start, end pairs: {value}");
        var ranges = new List<SlotRange>(value.Items.Count / 2);
        for (var i = 0; i < value.Items.Count; i += 2)
        {
            var start = (int)value.Items[i].AsInt64();
            var end = (int)value.Items[i + 1].AsInt64();
            if (end < start) throw new FormatException($"CLUSTER SHARDS slot range {start}-{end} ends before it starts");
            ranges.Add(new SlotRange(start, end));
        }
        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        return ranges;
    }

    // The endpoint is what the cluster tells clients to use (ip, hostname, or '?' when unknown); fall back to the ip, and
    // to the host we are connected to when the node does not know its own ip yet.
    private static string ParseAddress(Dictionary<string, RespValue> node, RedisEndpoint connected, bool tls)
    {
        var plain = Port(node, "port");
        var secure = Port(node, "tls-port");
        var port = tls && secure > 0 ? secure : plain > 0 ? plain : secure;
        if (port <= 0) return "";
        var host = Text(node, "endpoint") is { Length: > 0 } endpoint && endpoint != "?" ? endpoint : Text(node, "ip");
        if (string.IsNullOrEmpty(host)) host = connected.Host;
        return new RedisEndpoint(host, port).ToString();
    }

    private static int Port(Dictionary<string, RespValue> node, string name) =>
        node.TryGetValue(name, out var value) && !value.IsNull ? (int)value.AsInt64() : 0;

    private static string? Text(Dictionary<string, RespValue> fields, string name) =>
        fields.TryGetValue(name, out var value) && !value.Kind.IsAggregate() ? value.AsString() : null;

    private static Dictionary<string, RespValue> Fields(RespValue record, string what)
    {
        if (!record.Kind.IsAggregate() || record.Items.Count % 2 != 0)
            throw new FormatException($"CLUSTER SHARDS {what} should be key/value pairs: {record}");
        var fields = new Dictionary<string, RespValue>(StringComparer.Ordinal);
        for (var i = 0; i < record.Items.Count; i += 2)
            fields[record.Items[i].AsString() ?? ""] = record.Items[i + 1];
        return fields;
    }
}
