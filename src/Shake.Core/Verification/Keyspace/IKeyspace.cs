namespace Shake.Core.Verification.Keyspace;

/// <summary>
/// The keyspace of one side of a verification: the servers holding its keys and which of them owns a key. A standalone
/// server is one node with all its databases; a cluster is every master, database 0 only, each key on its slot's owner.
/// </summary>
public interface IKeyspace : IAsyncDisposable
{
    /// <summary>The servers holding keys (cluster: the masters), each scanned once.</summary>
    IReadOnlyList<KeyspaceNode> Nodes { get; }

    /// <summary>Whether this side is a cluster (only database 0 exists).</summary>
    bool IsCluster { get; }

    /// <summary>The index in <see cref="Nodes"/> of the node that holds <paramref name="key"/>.</summary>
    int NodeOf(ReadOnlySpan<byte> key);

    /// <summary>A short description for messages, e.g. <c>standalone 127.0.0.1:6379 (Redis 7.2.6)</c>.</summary>
    string Describe();
}
