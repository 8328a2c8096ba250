using Shake.Core.Cluster;
using Shake.Core.Routing;
using Shake.Resp.Connections;

namespace Shake.Core.Verification.Keyspace;

/// <summary>A Redis Cluster: every master owning slots, database 0 only; a key is read from the master of its slot.</summary>
public sealed class ClusterKeyspace : IKeyspace
{
    private readonly KeyspaceNode[] _nodes;
    private readonly short[] _ownerOfSlot;

    private ClusterKeyspace(KeyspaceNode[] nodes, short[] ownerOfSlot)
    {
        _nodes = nodes;
        _ownerOfSlot = ownerOfSlot;
    }

    /// <summary>Reads the layout from <paramref name="seed"/> and connects to every master with the seed's credentials.</summary>
    /// <exception cref="ClusterTopologyException">The layout cannot be read, or some slot has no owner.</exception>
    public static async Task<ClusterKeyspace> OpenAsync(RedisConnectionOptions seed, bool serverDigest, CancellationToken cancellation)
    {
        var topology = await ClusterTopology.DiscoverAsync(seed, null, cancellation);
        if (!topology.CoversAllSlots)
            throw new ClusterTopologyException($"the cluster of {seed.Address} has slots without an owner; verify a cluster whose every slot is served", [seed.Address], null);
        var masters = topology.Masters;
        var owners = new short[ClusterSlot.Count];
        for (var m = 0; m < masters.Count; m++)
            foreach (var range in masters[m].Slots)
                for (var slot = range.Start; slot <= range.End; slot++) owners[slot] = (short)m;
        var nodes = new KeyspaceNode[masters.Count];
        try
        {
            for (var m = 0; m < masters.Count; m++)
                nodes[m] = await KeyspaceNode.OpenAsync(seed with { Address = masters[m].Address }, serverDigest, cancellation);
        }
        catch
        {
            foreach (var node in nodes) if (node is not null) await node.DisposeAsync();
            throw;
        }
        return new ClusterKeyspace(nodes, owners);
    }

    /// <inheritdoc />
    public IReadOnlyList<KeyspaceNode> Nodes => _nodes;

    /// <inheritdoc />
    public bool IsCluster => true;

    /// <inheritdoc />
    public int NodeOf(ReadOnlySpan<byte> key) => _ownerOfSlot[ClusterSlot.Of(key)];

    /// <inheritdoc />
    public string Describe() =>
        $"cluster of {_nodes.Length} masters ({string.Join(", ", _nodes.Select(n => n.Address))}; Redis {_nodes[0].Version}{(_nodes.All(n => n.ServerDigest) ? "" : ", no DEBUG DIGEST-VALUE on some")})";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }
}
