using System.Globalization;
using Shake.Resp.Connections;

namespace Shake.Core.Cluster;

/// <summary>
/// Reads <c>CLUSTER NODES</c> text: one line per node,
/// <c>id ip:port@cport[,hostname] flags master-id ping-sent pong-recv config-epoch link-state slot...</c>.
/// </summary>
internal static class ClusterNodesParser
{
    private const int FixedFields = 8;

    public static ClusterTopology Parse(string text, string connectedAddress)
    {
        ArgumentNullException.ThrowIfNull(text);
        var connected = RedisEndpoint.Parse(connectedAddress);
        var nodes = new List<ClusterNode>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0) continue;
            nodes.Add(ParseLine(line, connected));
        }
        return new ClusterTopology(nodes);
    }

    private static ClusterNode ParseLine(string line, RedisEndpoint connected)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < FixedFields)
            throw new FormatException($"CLUSTER NODES line has {fields.Length} fields, expected at least {FixedFields}: '{line}'");
        var flags = fields[2].Split(',');
        bool Has(string flag) => Array.IndexOf(flags, flag) >= 0;
        var myself = Has("myself");
        var noAddress = Has("noaddr");
        var isMaster = Has("master");
        var address = ParseAddress(fields[1], myself, noAddress, connected, line);
        var masterId = fields[3] == "-" ? null : fields[3];
        var healthy = !Has("fail") && !Has("fail?") && !Has("handshake") && !noAddress && address.Length > 0 && fields[7] == "connected";
        var slots = new List<SlotRange>();
        for (var i = FixedFields; i < fields.Length; i++)
        {
            var entry = fields[i];
            if (entry.StartsWith('[')) continue; // [slot->-id] migrating / [slot-<-id] importing: still owned by this node's listed ranges
            var dash = entry.IndexOf('-');
            var start = ParseSlot(dash < 0 ? entry : entry[..dash], line);
            var end = dash < 0 ? start : ParseSlot(entry[(dash + 1)..], line);
            if (end < start) throw new FormatException($"CLUSTER NODES slot range '{entry}' ends before it starts: '{line}'");
            slots.Add(new SlotRange(start, end));
        }
        slots.Sort((a, b) => a.Start.CompareTo(b.Start));
        return new ClusterNode(fields[0], address, isMaster, isMaster ? null : masterId, healthy, slots);
    }

    /// <summary>
    /// The slots the node that answered is moving right now: <c>[slot->-id]</c> (migrating away) and <c>[slot-&lt;-id]</c>
    /// (importing) on its own (<c>myself</c>) line, the only line that shows them.
    /// </summary>
    public static IReadOnlySet<int> MovingSlots(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var moving = new HashSet<int>();
        foreach (var raw in text.Split('\n'))
        {
            var fields = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < FixedFields || Array.IndexOf(fields[2].Split(','), "myself") < 0) continue;
            for (var i = FixedFields; i < fields.Length; i++)
            {
                var entry = fields[i];
                if (!entry.StartsWith('[')) continue;
                var dash = entry.IndexOf('-');
                if (dash > 1 && int.TryParse(entry.AsSpan(1, dash - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var slot)) moving.Add(slot);
            }
        }
        return moving;
    }

    // ip:port@cport[,hostname[,aux...]]; before Redis 4 there is no @cport. The ip may be an unbracketed IPv6 literal.
    private static string ParseAddress(string field, bool myself, bool noAddress, RedisEndpoint connected, string line)
    {
        var comma = field.IndexOf(',');
        var endpoint = comma < 0 ? field : field[..comma];
        var at = endpoint.IndexOf('@');
        if (at >= 0) endpoint = endpoint[..at];
        var colon = endpoint.LastIndexOf(':');
        if (colon < 0) throw new FormatException($"CLUSTER NODES address '{field}' has no port: '{line}'");
        var host = endpoint[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new FormatException($"CLUSTER NODES address '{field}' has an invalid port: '{line}'");
        if (myself && (port == 0 || noAddress)) return connected.ToString();
        if (port == 0 || noAddress) return "";
        // A node that has not met others yet does not know its own ip: it is the one we are talking to.
        if (host.Length == 0) host = connected.Host;
        return new RedisEndpoint(host, port).ToString();
    }

    private static int ParseSlot(string text, string line) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var slot)
            ? slot
            : throw new FormatException($"CLUSTER NODES slot '{text}' is not a number: '{line}'");
}
