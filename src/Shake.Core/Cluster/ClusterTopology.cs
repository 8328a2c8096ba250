using Shake.Core.Routing;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Core.Cluster;

/// <summary>
/// A snapshot of a Redis Cluster's layout as one node reported it: every node, which master owns each of the 16384 slots,
/// and which replicas follow each master. Immutable; read a new one after a MOVED or a failover.
/// </summary>
public sealed class ClusterTopology
{
    // Index into _nodes of each slot's owner, -1 when unassigned; 32 KiB keeps slot lookups a single array read.
    private readonly short[] _owners;
    private readonly ClusterNode[] _nodes;

    /// <summary>Builds a topology from nodes; a slot claimed by two masters goes to the first one listed.</summary>
    public ClusterTopology(IEnumerable<ClusterNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _nodes = [.. nodes];
        if (_nodes.Length > short.MaxValue) throw new ArgumentException($"a cluster of {_nodes.Length} nodes is larger than Redis allows", nameof(nodes));
        _owners = new short[ClusterSlot.Count];
        Array.Fill(_owners, (short)-1);
        var assigned = 0;
        for (var index = 0; index < _nodes.Length; index++)
        {
            var node = _nodes[index];
            if (!node.IsMaster) continue;
            foreach (var range in node.Slots)
            {
                if (range.Start < 0 || range.End >= ClusterSlot.Count || range.Start > range.End)
                    throw new ArgumentException($"node {node.Address} ({node.Id}) claims slot range {range}, outside 0-{ClusterSlot.Count - 1}", nameof(nodes));
                for (var slot = range.Start; slot <= range.End; slot++)
                {
                    if (_owners[slot] >= 0) continue;
                    _owners[slot] = (short)index;
                    assigned++;
                }
            }
        }
        CoversAllSlots = assigned == ClusterSlot.Count;
        Masters = [.. _nodes.Where(n => n.IsMaster && n.Slots.Count > 0).OrderBy(n => n.LowestSlot)];
    }

    /// <summary>Every node, in the order the server listed them.</summary>
    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    /// <summary>Masters owning at least one slot, sorted by their lowest slot.</summary>
    public IReadOnlyList<ClusterNode> Masters { get; }

    /// <summary>True when every slot has an owner.</summary>
    public bool CoversAllSlots { get; }

    /// <summary>The address of the master owning <paramref name="slot"/>, or null when the slot is unassigned.</summary>
    public string? MasterOf(int slot) => OwnerOf(slot)?.Address;

    /// <summary>The master owning <paramref name="slot"/>, or null when the slot is unassigned.</summary>
    public ClusterNode? OwnerOf(int slot)
    {
        if ((uint)slot >= ClusterSlot.Count) throw new ArgumentOutOfRangeException(nameof(slot), slot, $"slots are 0-{ClusterSlot.Count - 1}");
        var index = _owners[slot];
        return index < 0 ? null : _nodes[index];
    }

    /// <summary>The replicas following <paramref name="master"/>, in listing order.</summary>
    public IReadOnlyList<ClusterNode> ReplicasOf(ClusterNode master)
    {
        ArgumentNullException.ThrowIfNull(master);
        return [.. _nodes.Where(n => !n.IsMaster && n.MasterId == master.Id)];
    }

    /// <summary>The node with <paramref name="id"/>, or null.</summary>
    public ClusterNode? NodeById(string id) => _nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>
    /// Reads the layout from the node behind <paramref name="connection"/> with <c>CLUSTER SHARDS</c> (Redis 7.0+), falling
    /// back to <c>CLUSTER NODES</c> when the server answers that with an error (Redis 4–6, or an ACL that allows only NODES).
    /// </summary>
    /// <exception cref="ClusterTopologyException">Both commands failed, or the reply could not be understood.</exception>
    public static async Task<ClusterTopology> ReadAsync(RedisConnection connection, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var address = connection.Endpoint.ToString();
        var shards = await connection.ExecuteAsync(["CLUSTER", "SHARDS"], cancellation);
        try
        {
            if (!shards.IsError) return ClusterShardsParser.Parse(shards, address, connection.IsTls);
        }
        catch (FormatException e)
        {
            throw new ClusterTopologyException($"{address} answered CLUSTER SHARDS with a reply that could not be read: {e.Message}", [address], e);
        }
        var nodes = await connection.ExecuteAsync(["CLUSTER", "NODES"], cancellation);
        if (nodes.IsError)
            throw new ClusterTopologyException(
                $"{address} refused both CLUSTER SHARDS ({shards.AsError().Message}) and CLUSTER NODES ({nodes.AsError().Message}); is it a cluster node, and may this user run them?",
                [address]);
        try
        {
            return ClusterNodesParser.Parse(nodes.AsString() ?? "", address);
        }
        catch (FormatException e)
        {
            throw new ClusterTopologyException($"{address} answered CLUSTER NODES with text that could not be read: {e.Message}", [address], e);
        }
    }

    /// <summary>Parses a <c>CLUSTER SHARDS</c> reply (RESP2 flat arrays or RESP3 maps); nodes without an ip get the host of <paramref name="connectedAddress"/>.</summary>
    /// <exception cref="FormatException">The reply is not shaped like CLUSTER SHARDS.</exception>
    public static ClusterTopology ParseShards(RespValue reply, string connectedAddress) => ClusterShardsParser.Parse(reply, connectedAddress, tls: false);

    /// <summary>As <see cref="ParseShards(RespValue, string)"/>; with <paramref name="tls"/> a node's <c>tls-port</c> is preferred over its <c>port</c>.</summary>
    public static ClusterTopology ParseShards(RespValue reply, string connectedAddress, bool tls) => ClusterShardsParser.Parse(reply, connectedAddress, tls);

    /// <summary>Parses <c>CLUSTER NODES</c> text; an empty ip (a node that never met others) means the host of <paramref name="connectedAddress"/>.</summary>
    /// <exception cref="FormatException">A line is not shaped like CLUSTER NODES output.</exception>
    public static ClusterTopology ParseNodes(string text, string connectedAddress) => ClusterNodesParser.Parse(text, connectedAddress);

    /// <summary>
    /// Reads the layout from <paramref name="seed"/>, else from each of <paramref name="moreAddresses"/> in turn (same
    /// credentials and TLS settings); a node that answers but knows no slot owner is passed over.
    /// </summary>
    /// <exception cref="ClusterTopologyException">No address gave a usable layout; the message names every address tried and why it failed.</exception>
    public static async Task<ClusterTopology> DiscoverAsync(RedisConnectionOptions seed, IEnumerable<string>? moreAddresses, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var tried = new List<string>();
        var failures = new List<string>();
        Exception? last = null;
        foreach (var address in new[] { seed.Address }.Concat(moreAddresses ?? []).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            cancellation.ThrowIfCancellationRequested();
            tried.Add(address);
            try
            {
                await using var connection = await RedisConnection.ConnectAsync(seed with { Address = address }, cancellation);
                var topology = await ReadAsync(connection, cancellation);
                if (topology.Masters.Count > 0) return topology;
                failures.Add($"{address}: knows no master owning slots");
            }
            catch (Exception e) when (e is RedisConnectionException or RedisServerException or ClusterTopologyException or FormatException)
            {
                last = e;
                failures.Add($"{address}: {e.Message}");
            }
        }
        throw new ClusterTopologyException($"could not read the cluster layout from {string.Join(", ", tried)}: {string.Join("; ", failures)}", tried, last);
    }
}
