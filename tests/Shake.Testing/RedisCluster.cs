namespace Shake.Testing;

/// <summary>A real 3-master/3-replica Redis cluster on loopback, created with <c>redis-cli --cluster create</c>.</summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly int _masters;

    private RedisCluster(IReadOnlyList<RedisServer> nodes, int masters)
    {
        Nodes = nodes;
        _masters = masters;
    }

    /// <summary>All nodes (masters and replicas), in creation order.</summary>
    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>Address of the first node, a seed for clients.</summary>
    public string SeedAddress => Nodes[0].Address;

    /// <summary>Starts <paramref name="masters"/> masters with <paramref name="replicasPerMaster"/> replicas each and waits for <c>cluster_state:ok</c> on every node.</summary>
    public static async Task<RedisCluster> StartAsync(int masters = 3, int replicasPerMaster = 1, IEnumerable<string>? extraArgs = null, CancellationToken cancellation = default)
    {
        var count = masters * (1 + replicasPerMaster);
        // Replicas sync at once instead of after the default 5 s wait for more replicas to join the transfer.
        string[] args = ["--repl-diskless-sync-delay", "0", .. extraArgs ?? []];
        var starts = Enumerable.Range(0, count).Select(_ => RedisServer.StartAsync(args, clusterEnabled: true, cancellation: cancellation)).ToList();
        var nodes = new List<RedisServer>();
        foreach (var s in starts)
        {
            try { nodes.Add(await s); } catch { /* collected below */ }
        }
        var cluster = new RedisCluster(nodes, masters);
        try
        {
            if (nodes.Count != count) throw new InvalidOperationException("not every cluster node started");
            await RedisBinaries.CliAsync(
                ["--cluster", "create", .. nodes.Select(n => n.Address), "--cluster-replicas", replicasPerMaster.ToString(), "--cluster-yes"],
                TimeSpan.FromSeconds(90), cancellation);
            await cluster.WaitUntilOkAsync(TimeSpan.FromSeconds(60), cancellation);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every node reports <c>cluster_state:ok</c>, sees every other node in its final role, and every replica's link to its master is up.</summary>
    public async Task WaitUntilOkAsync(TimeSpan timeout, CancellationToken cancellation = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var ok = true;
            foreach (var node in Nodes)
            {
                var info = await node.CliAsync("cluster", "info");
                var flags = (await node.CliAsync("cluster", "nodes")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(line => line.Split(' ')[2].Split(',')).ToList();
                var masters = flags.Count(f => f.Contains("master"));
                if (!info.Contains("cluster_state:ok") || flags.Count != Nodes.Count || masters != _masters) { ok = false; break; }
                // A replica still in its first full sync shows as "loading" in CLUSTER SHARDS and serves nothing yet.
                var replication = await node.CliAsync("info", "replication");
                if (replication.Contains("role:slave") && !replication.Contains("master_link_status:up")) { ok = false; break; }
                if (!await AllShardsOnlineAsync(node)) { ok = false; break; }
            }
            if (ok) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("cluster did not reach cluster_state:ok");
            await Task.Delay(200, cancellation);
        }
    }

    // Other nodes learn a replica's offset by gossip, and CLUSTER SHARDS (7.0+) calls it "loading" until they do.
    private static async Task<bool> AllShardsOnlineAsync(RedisServer node)
    {
        string shards;
        try { shards = await node.CliAsync("cluster", "shards"); }
        catch (InvalidOperationException) { return true; }
        if (shards.StartsWith("ERR", StringComparison.Ordinal)) return true;
        var lines = shards.Split('\n', StringSplitOptions.TrimEntries);
        for (var i = 0; i + 1 < lines.Length; i++)
            if (lines[i] == "health" && lines[i + 1] != "online") return false;
        return true;
    }

    /// <summary>Stops every node.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes) await n.DisposeAsync();
    }
}
