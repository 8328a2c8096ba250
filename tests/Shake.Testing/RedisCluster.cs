using System.Globalization;
using Shake.Core.Cluster;
using Shake.Core.Routing;
using Shake.Resp.Connections;

namespace Shake.Testing;

/// <summary>
/// A real Redis cluster on loopback (by default 3 masters with one replica each), created with <c>redis-cli --cluster create</c>.
/// Layout changes for tests (failover, killing a master, resharding, adding and removing masters) are in
/// <c>RedisCluster.Changes.cs</c>; each waits until every running node agrees on the new layout.
/// </summary>
public sealed partial class RedisCluster : IAsyncDisposable
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    private readonly List<RedisServer> _nodes;
    private readonly string[] _serverArgs;
    // Masters added by AddMasterAsync own no slots until resharded; they are the only slotless masters a settled cluster has.
    private readonly HashSet<string> _emptyMasters = [];
    private string _createdLayout = "";
    private string[] _createdOwners = [];
    private int _createdNodeCount;
    private bool _disposed;

    private readonly string? _serverPath;

    private RedisCluster(List<RedisServer> nodes, string[] serverArgs, string? serverPath)
    {
        _nodes = nodes;
        _serverArgs = serverArgs;
        _serverPath = serverPath;
    }

    /// <summary>All nodes (masters and replicas, running or killed), in creation order.</summary>
    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>The nodes whose process is running.</summary>
    public IReadOnlyList<RedisServer> LiveNodes => [.. _nodes.Where(n => n.IsRunning)];

    /// <summary>Address of the first running node, a seed for clients.</summary>
    public string SeedAddress => (_nodes.FirstOrDefault(n => n.IsRunning) ?? throw new InvalidOperationException("no node of the cluster is running")).Address;

    /// <summary>Every running node's address as a comparison side for <see cref="ClusterDataComparer"/> (which discovers the layout from them).</summary>
    public RedisDataSide Side => RedisDataSide.Cluster(LiveNodes.Select(n => n.Address));

    /// <summary>
    /// Starts <paramref name="masters"/> masters with <paramref name="replicasPerMaster"/> replicas each and waits until every
    /// node agrees on the layout and every replica is in sync. <paramref name="serverPath"/> runs another server binary
    /// (another Redis version, or valkey-server) for every node.
    /// </summary>
    public static async Task<RedisCluster> StartAsync(int masters = 3, int replicasPerMaster = 1, IEnumerable<string>? extraArgs = null, CancellationToken cancellation = default, string? serverPath = null)
    {
        var count = masters * (1 + replicasPerMaster);
        // Replicas sync at once instead of after the default 5 s wait for more replicas to join the transfer.
        string[] args = ["--repl-diskless-sync-delay", "0", .. extraArgs ?? []];
        var starts = Enumerable.Range(0, count).Select(_ => RedisServer.StartAsync(args, clusterEnabled: true, cancellation: cancellation, serverPath: serverPath)).ToList();
        var nodes = new List<RedisServer>();
        foreach (var s in starts)
        {
            try { nodes.Add(await s); } catch { /* collected below */ }
        }
        var cluster = new RedisCluster(nodes, args, serverPath);
        try
        {
            if (nodes.Count != count) throw new InvalidOperationException("not every cluster node started");
            await RedisBinaries.CliAsync(
                ["--cluster", "create", .. nodes.Select(n => n.Address), "--cluster-replicas", replicasPerMaster.ToString(), "--cluster-yes"],
                TimeSpan.FromSeconds(90), cancellation);
            await cluster.WaitUntilOkAsync(SettleTimeout, cancellation);
            var created = await cluster.ReadTopologyAsync(cancellation);
            cluster._createdLayout = Describe(created);
            cluster._createdOwners = [.. Enumerable.Range(0, ClusterSlot.Count).Select(slot => created.MasterOf(slot)!)];
            cluster._createdNodeCount = created.Nodes.Count;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until the cluster is settled: every running node reports <c>cluster_state:ok</c>, sees every running node as
    /// healthy and in a final role (a master owning slots, a replica of one, or a master added empty), reports the same
    /// slot owners and replicas as the others, with no slot owned by a stopped node; and every replica's link is up.
    /// </summary>
    public Task WaitUntilOkAsync(TimeSpan timeout, CancellationToken cancellation = default) =>
        WaitUntilAsync(null, "a settled layout", timeout, cancellation);

    /// <summary>The layout as a running node reports it.</summary>
    public Task<ClusterTopology> ReadTopologyAsync(CancellationToken cancellation = default)
    {
        var live = LiveNodes;
        if (live.Count == 0) throw new InvalidOperationException("no node of the cluster is running");
        return ClusterTopology.DiscoverAsync(new RedisConnectionOptions { Address = live[0].Address }, live.Skip(1).Select(n => n.Address), cancellation);
    }

    /// <summary>The masters owning slots, by lowest slot.</summary>
    public async Task<IReadOnlyList<RedisServer>> MastersAsync(CancellationToken cancellation = default) =>
        [.. (await ReadTopologyAsync(cancellation)).Masters.Select(m => ServerAt(m.Address))];

    /// <summary>The master owning <paramref name="slot"/> now.</summary>
    public async Task<RedisServer> MasterForAsync(int slot, CancellationToken cancellation = default) =>
        ServerAt((await ReadTopologyAsync(cancellation)).MasterOf(slot) ?? throw new InvalidOperationException($"slot {slot} has no owner"));

    /// <summary>The first replica of <paramref name="master"/> now.</summary>
    public async Task<RedisServer> ReplicaOfAsync(RedisServer master, CancellationToken cancellation = default)
    {
        var topology = await ReadTopologyAsync(cancellation);
        var node = NodeAt(topology, master);
        var replica = topology.ReplicasOf(node).FirstOrDefault() ?? throw new InvalidOperationException($"master {master.Address} has no replica");
        return ServerAt(replica.Address);
    }

    /// <summary>The node process listening at <paramref name="address"/>.</summary>
    public RedisServer ServerAt(string address) =>
        _nodes.FirstOrDefault(n => n.Address == address) ?? throw new InvalidOperationException($"{address} is not a node of this cluster");

    /// <summary>FLUSHALL on every master, then waits until every running replica is empty too.</summary>
    public async Task FlushAllAsync(CancellationToken cancellation = default)
    {
        var topology = await ReadTopologyAsync(cancellation);
        foreach (var master in topology.Masters)
        {
            await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = master.Address }, cancellation);
            (await connection.ExecuteAsync(["FLUSHALL"], cancellation)).ThrowIfError(master.Address, "FLUSHALL");
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        foreach (var replica in topology.Nodes.Where(n => !n.IsMaster && _nodes.Any(s => s.Address == n.Address && s.IsRunning)))
        {
            await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = replica.Address }, cancellation);
            while ((await connection.ExecuteAsync(["DBSIZE"], cancellation)).ThrowIfError(replica.Address, "DBSIZE").AsInt64() != 0)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"replica {replica.Address} still holds keys 20 s after FLUSHALL on its master");
                await Task.Delay(20, cancellation);
            }
        }
    }

    /// <summary>
    /// Waits until every healthy replica holds all its master's writes so far (before killing the master, say), by
    /// their own offsets (<see cref="ReplicationOffsets"/>).
    /// </summary>
    public async Task WaitForReplicasAsync(CancellationToken cancellation = default)
    {
        var topology = await ReadTopologyAsync(cancellation);
        foreach (var master in topology.Masters)
        {
            foreach (var replica in topology.ReplicasOf(master).Where(r => r.Healthy))
                await ReplicationOffsets.WaitUntilCaughtUpAsync(master.Address, replica.Address, TimeSpan.FromSeconds(10), cancellation);
        }
    }

    /// <summary>
    /// True when the cluster has the nodes and layout it was created with, all running. A failover (graceful or forced)
    /// is undone first by failing back (with TAKEOVER); slots moved to other masters are then moved back, after a FLUSHALL
    /// (empty slots move without migrating keys: this deletes every key). Killed nodes or added masters give false: the
    /// cluster must be recreated.
    /// </summary>
    public async Task<bool> TryRestoreLayoutAsync(CancellationToken cancellation = default)
    {
        if (_nodes.Any(n => !n.IsRunning) || _emptyMasters.Count > 0 || _nodes.Count != _createdNodeCount) return false;
        var topology = await ReadTopologyAsync(cancellation);
        if (Describe(topology) == _createdLayout) return true;
        var originalMasters = _createdOwners.ToHashSet();
        foreach (var node in topology.Nodes.Where(n => !n.IsMaster && originalMasters.Contains(n.Address)))
            await FailoverAsync(ServerAt(node.Address), takeover: true, cancellation); // no votes needed, so no wait for a recent election to age
        topology = await ReadTopologyAsync(cancellation);
        if (Describe(topology) != _createdLayout)
        {
            if (topology.Masters.Any(m => !originalMasters.Contains(m.Address)) || topology.Nodes.Count != _createdNodeCount) return false;
            await FlushAllAsync(cancellation);
            await MoveSlotsBackAsync(topology, cancellation);
            await WaitUntilOkAsync(SettleTimeout, cancellation);
        }
        return Describe(await ReadTopologyAsync(cancellation)) == _createdLayout;
    }

    // Per slot, the steps of a migration without keys: importing on the owner-to-be, migrating on the owner, then the new
    // owner announced to itself first (which bumps its config epoch, so the change wins in gossip), the old owner, the rest.
    private async Task MoveSlotsBackAsync(ClusterTopology topology, CancellationToken cancellation)
    {
        var connections = new Dictionary<string, RedisConnection>(StringComparer.Ordinal);
        try
        {
            foreach (var master in topology.Masters)
                connections[master.Address] = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = master.Address }, cancellation);
            async Task SendAsync(string address, params string[] command) =>
                (await connections[address].ExecuteAsync(command, cancellation)).ThrowIfError(address, string.Join(' ', command));
            for (var slot = 0; slot < _createdOwners.Length; slot++)
            {
                var owner = topology.OwnerOf(slot)!;
                var original = _createdOwners[slot];
                if (owner.Address == original) continue;
                var originalId = topology.Nodes.First(n => n.Address == original).Id;
                var text = slot.ToString(CultureInfo.InvariantCulture);
                await SendAsync(original, "CLUSTER", "SETSLOT", text, "IMPORTING", owner.Id);
                await SendAsync(owner.Address, "CLUSTER", "SETSLOT", text, "MIGRATING", originalId);
                await SendAsync(original, "CLUSTER", "SETSLOT", text, "NODE", originalId);
                await SendAsync(owner.Address, "CLUSTER", "SETSLOT", text, "NODE", originalId);
                foreach (var other in connections.Keys.Where(a => a != original && a != owner.Address))
                    await SendAsync(other, "CLUSTER", "SETSLOT", text, "NODE", originalId);
            }
        }
        finally
        {
            foreach (var connection in connections.Values) await connection.DisposeAsync();
        }
    }

    private RedisServer[] Others(RedisServer server) => [.. LiveNodes.Where(n => n != server)];

    private static ClusterNode NodeAt(ClusterTopology topology, RedisServer server) =>
        topology.Nodes.FirstOrDefault(n => n.Address == server.Address) ?? throw new InvalidOperationException($"{server.Address} is not in the cluster's layout");

    // Slot owners and replica assignments as text, equal on every node once the cluster has settled.
    private static string Describe(ClusterTopology topology) =>
        string.Join(";", topology.Masters.Select(m => m.Address + "=" + string.Join(",", m.Slots))) + "|" +
        string.Join(";", topology.Nodes.Where(n => !n.IsMaster && n.MasterId is not null)
            .Select(n => n.Address + "->" + (topology.NodeById(n.MasterId!)?.Address ?? n.MasterId)).Order(StringComparer.Ordinal));

    private async Task WaitUntilAsync(Func<ClusterTopology, bool>? condition, string what, TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var problem = await FindProblemAsync(condition, what, cancellation);
            if (problem is null) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cluster did not reach {what} within {timeout.TotalSeconds:0} s: {problem}");
            await Task.Delay(100, cancellation);
        }
    }

    private async Task<string?> FindProblemAsync(Func<ClusterTopology, bool>? condition, string what, CancellationToken cancellation)
    {
        var live = LiveNodes;
        var addresses = live.Select(n => n.Address).ToHashSet();
        string? agreed = null;
        foreach (var server in live)
        {
            try
            {
                await using var connection = await RedisConnection.ConnectAsync(
                    new RedisConnectionOptions { Address = server.Address, ConnectTimeout = TimeSpan.FromSeconds(3), ReadTimeout = TimeSpan.FromSeconds(10) }, cancellation);
                var info = (await connection.ExecuteAsync(["CLUSTER", "INFO"], cancellation)).ThrowIfError(server.Address, "CLUSTER INFO").AsString()!;
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal)) return $"{server.Address} reports cluster_state other than ok";
                var view = await ClusterTopology.ReadAsync(connection, cancellation);
                if (!view.CoversAllSlots) return $"{server.Address} sees slots without owner";
                if (view.Masters.FirstOrDefault(m => !addresses.Contains(m.Address)) is { } gone) return $"{server.Address} sees slots {string.Join(",", gone.Slots)} still owned by stopped {gone.Address}";
                foreach (var address in addresses)
                {
                    var node = view.Nodes.FirstOrDefault(n => n.Address == address);
                    if (node is null || !node.Healthy) return $"{server.Address} does not see {address} as healthy";
                    var settled = node.IsMaster
                        ? node.Slots.Count > 0 || _emptyMasters.Contains(address)
                        : node.MasterId is not null && view.NodeById(node.MasterId) is { IsMaster: true, Slots.Count: > 0 };
                    if (!settled) return $"{server.Address} sees {address} without its final role yet";
                }
                var layout = Describe(view);
                if (agreed is null) agreed = layout;
                else if (layout != agreed) return $"{server.Address} sees another layout than {live[0].Address}";
                if (condition is not null && !condition(view)) return $"{server.Address} does not see {what} yet";
                var replication = (await connection.ExecuteAsync(["INFO", "replication"], cancellation)).ThrowIfError(server.Address, "INFO").AsString()!;
                if (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal))
                    return $"replica {server.Address} is not in sync with its master yet";
            }
            catch (Exception e) when (e is RedisConnectionException or ClusterTopologyException or Shake.Resp.Protocol.RedisServerException)
            {
                return $"{server.Address}: {e.Message}";
            }
        }
        return null;
    }

    /// <summary>Stops every node (once; later calls do nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var n in _nodes) await n.DisposeAsync();
    }
}
