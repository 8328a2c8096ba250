using Shake.Core.Verification.Model;

namespace Shake.Core.Verification.Keyspace;

/// <summary>Batched reads over a whole <see cref="IKeyspace"/>: keys are grouped by the node that owns them, nodes read in parallel.</summary>
public static class KeyspaceReader
{
    /// <summary>Type, expiry and server digest of every key of <paramref name="keys"/> in database <paramref name="db"/>.</summary>
    public static async Task<KeyState[]> ProbeAsync(IKeyspace keyspace, int db, IReadOnlyList<byte[]> keys, CancellationToken cancellation)
    {
        var states = new KeyState[keys.Count];
        if (keyspace.Nodes.Count == 1)
        {
            await keyspace.Nodes[0].ProbeAsync(db, keys, All(keys.Count), states, cancellation);
            return states;
        }
        var groups = GroupByNode(keyspace, keys);
        await Task.WhenAll(groups.Select((selection, node) => keyspace.Nodes[node].ProbeAsync(db, keys, selection, states, cancellation)));
        return states;
    }

    /// <summary>Whether each key of <paramref name="keys"/> exists in database <paramref name="db"/>.</summary>
    public static async Task<bool[]> ExistsAsync(IKeyspace keyspace, int db, IReadOnlyList<byte[]> keys, CancellationToken cancellation)
    {
        var exists = new bool[keys.Count];
        if (keyspace.Nodes.Count == 1)
        {
            await keyspace.Nodes[0].ExistsAsync(db, keys, All(keys.Count), exists, cancellation);
            return exists;
        }
        var groups = GroupByNode(keyspace, keys);
        await Task.WhenAll(groups.Select((selection, node) => keyspace.Nodes[node].ExistsAsync(db, keys, selection, exists, cancellation)));
        return exists;
    }

    /// <summary>The databases holding keys on any node.</summary>
    public static async Task<IReadOnlyList<int>> DatabasesWithKeysAsync(IKeyspace keyspace, CancellationToken cancellation)
    {
        var all = new SortedSet<int>();
        foreach (var node in keyspace.Nodes) all.UnionWith(await node.DatabasesWithKeysAsync(cancellation));
        return [.. all];
    }

    /// <summary>The number of keys in database <paramref name="db"/> over every node.</summary>
    public static async Task<long> CountAsync(IKeyspace keyspace, int db, CancellationToken cancellation)
    {
        long total = 0;
        foreach (var node in keyspace.Nodes) total += await node.CountAsync(db, cancellation);
        return total;
    }

    private static List<int>[] GroupByNode(IKeyspace keyspace, IReadOnlyList<byte[]> keys)
    {
        var groups = new List<int>[keyspace.Nodes.Count];
        for (var n = 0; n < groups.Length; n++) groups[n] = [];
        for (var i = 0; i < keys.Count; i++) groups[keyspace.NodeOf(keys[i])].Add(i);
        return groups;
    }

    private static IReadOnlyList<int> All(int count) => new IndexRange(count);

    private sealed class IndexRange(int count) : IReadOnlyList<int>
    {
        public int this[int index] => index;
        public int Count => count;
        public IEnumerator<int> GetEnumerator() => Enumerable.Range(0, count).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
