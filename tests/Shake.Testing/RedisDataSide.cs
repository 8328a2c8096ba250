using Shake.Resp.Connections;

namespace Shake.Testing;

/// <summary>
/// One side of a data comparison: a standalone server, or the masters of a cluster (every key is read from the node
/// whose SCAN returned it). Passwords and TLS settings travel in the per-node connection options.
/// </summary>
public sealed record RedisDataSide(IReadOnlyList<RedisConnectionOptions> Nodes)
{
    /// <summary>A standalone server.</summary>
    public static RedisDataSide Standalone(string address, string? password = null, string? username = null) =>
        new([new RedisConnectionOptions { Address = address, Password = password, Username = username }]);

    /// <summary>A cluster given by its master addresses (replicas must not be listed, their keys would count twice).</summary>
    public static RedisDataSide Cluster(IEnumerable<string> masterAddresses, string? password = null, string? username = null) =>
        new([.. masterAddresses.Select(a => new RedisConnectionOptions { Address = a, Password = password, Username = username })]);

    /// <summary>True when this side has several nodes (only db 0 exists there).</summary>
    public bool IsCluster => Nodes.Count > 1;

    /// <inheritdoc />
    public override string ToString() => string.Join(",", Nodes.Select(n => n.Address));
}
