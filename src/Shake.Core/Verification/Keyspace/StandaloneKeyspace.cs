using Shake.Resp.Connections;

namespace Shake.Core.Verification.Keyspace;

/// <summary>A standalone server: one node, every database.</summary>
public sealed class StandaloneKeyspace : IKeyspace
{
    private readonly KeyspaceNode _node;

    private StandaloneKeyspace(KeyspaceNode node) => _node = node;

    /// <summary>Connects to the server.</summary>
    public static async Task<StandaloneKeyspace> OpenAsync(RedisConnectionOptions options, bool serverDigest, CancellationToken cancellation) =>
        new(await KeyspaceNode.OpenAsync(options, serverDigest, cancellation));

    /// <inheritdoc />
    public IReadOnlyList<KeyspaceNode> Nodes => [_node];

    /// <inheritdoc />
    public bool IsCluster => false;

    /// <inheritdoc />
    public int NodeOf(ReadOnlySpan<byte> key) => 0;

    /// <inheritdoc />
    public string Describe() => $"standalone {_node.Address} (Redis {_node.Version}{(_node.ServerDigest ? "" : ", no DEBUG DIGEST-VALUE")})";

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _node.DisposeAsync();
}
