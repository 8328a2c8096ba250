using System.Globalization;
using Shake.Resp.Connections;

namespace Shake.Testing;

/// <summary>Layout changes of a test cluster; each returns once every running node agrees on the result.</summary>
public sealed partial class RedisCluster
{
    /// <summary>
    /// Promotes <paramref name="replica"/> with <c>CLUSTER FAILOVER</c> (graceful: the master hands over once the replica
    /// caught up) or <c>CLUSTER FAILOVER TAKEOVER</c> (at once, without the master's or the other masters' consent), then
    /// waits until it owns its former master's slots and that master follows it.
    /// </summary>
    public async Task FailoverAsync(RedisServer replica, bool takeover, CancellationToken cancellation = default)
    {
        var before = await ReadTopologyAsync(cancellation);
        var node = NodeAt(before, replica);
        if (node.IsMaster) throw new InvalidOperationException($"{replica.Address} is a master, not a replica");
        var master = before.NodeById(node.MasterId ?? "") ?? throw new InvalidOperationException($"replica {replica.Address} has no known master");
        string[] command = takeover ? ["CLUSTER", "FAILOVER", "TAKEOVER"] : ["CLUSTER", "FAILOVER"];
        // A graceful failover needs the masters' votes, and a master refuses to vote on the same shard again within twice
        // the node timeout (10 s here): one that times out (the server gives up after 5 s) is asked for again.
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (true)
        {
            await using (var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = replica.Address }, cancellation))
                (await connection.ExecuteAsync(command, cancellation)).ThrowIfError(replica.Address, string.Join(' ', command));
            try
            {
                await WaitUntilAsync(
                    view => view.Masters.Any(m => m.Address == replica.Address && m.Slots.SequenceEqual(master.Slots)) &&
                            view.Nodes.Any(n => n.Address == master.Address && !n.IsMaster),
                    $"{replica.Address} as master of slots {string.Join(",", master.Slots)}", TimeSpan.FromSeconds(takeover ? 60 : 12), cancellation);
                return;
            }
            catch (TimeoutException) when (!takeover && DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>
    /// Kills (SIGKILL) the master at <paramref name="index"/> of <see cref="MastersAsync"/> and waits until the cluster has
    /// failed over to its replica on its own (node timeout plus election: several seconds). Returns the killed node.
    /// </summary>
    public async Task<RedisServer> KillMasterAsync(int index, CancellationToken cancellation = default)
    {
        var masters = await MastersAsync(cancellation);
        if (index < 0 || index >= masters.Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"the cluster has {masters.Count} masters");
        var victim = masters[index];
        victim.Kill();
        await WaitUntilOkAsync(SettleTimeout, cancellation);
        return victim;
    }

    /// <summary>Moves <paramref name="slotCount"/> slots with their keys from <paramref name="from"/> to <paramref name="to"/> with <c>redis-cli --cluster reshard</c>.</summary>
    public async Task ReshardAsync(RedisServer from, RedisServer to, int slotCount, CancellationToken cancellation = default)
    {
        var topology = await ReadTopologyAsync(cancellation);
        var source = NodeAt(topology, from);
        var target = NodeAt(topology, to);
        if (!source.IsMaster || !target.IsMaster) throw new InvalidOperationException($"resharding needs two masters, {from.Address} and {to.Address} are not");
        if (source.SlotCount < slotCount) throw new InvalidOperationException($"{from.Address} owns {source.SlotCount} slots, fewer than {slotCount}");
        await RedisBinaries.CliAsync(
            ["--cluster", "reshard", Others(from).FirstOrDefault()?.Address ?? from.Address, "--cluster-from", source.Id, "--cluster-to", target.Id,
             "--cluster-slots", slotCount.ToString(CultureInfo.InvariantCulture), "--cluster-yes"],
            TimeSpan.FromSeconds(120), cancellation);
        var expected = target.SlotCount + slotCount;
        await WaitUntilAsync(view => view.Nodes.Any(n => n.Id == target.Id && n.SlotCount == expected), $"{to.Address} owning {expected} slots", SettleTimeout, cancellation);
        _emptyMasters.Remove(to.Address);
    }

    /// <summary>Starts a node and joins it as a master without slots (give it some with <see cref="ReshardAsync"/>).</summary>
    public async Task<RedisServer> AddMasterAsync(CancellationToken cancellation = default)
    {
        var server = await RedisServer.StartAsync(_serverArgs, clusterEnabled: true, cancellation: cancellation, serverPath: _serverPath);
        try
        {
            await RedisBinaries.CliAsync(["--cluster", "add-node", server.Address, SeedAddress], TimeSpan.FromSeconds(60), cancellation);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        _nodes.Add(server);
        _emptyMasters.Add(server.Address);
        await WaitUntilOkAsync(SettleTimeout, cancellation);
        return server;
    }

    /// <summary>
    /// Moves every slot of <paramref name="master"/> to the master with the lowest slots among the others, makes the
    /// cluster forget it (<c>redis-cli --cluster del-node</c>, which also shuts it down) and stops it. Only for masters without replicas.
    /// </summary>
    public async Task RemoveMasterAsync(RedisServer master, CancellationToken cancellation = default)
    {
        var topology = await ReadTopologyAsync(cancellation);
        var node = NodeAt(topology, master);
        if (!node.IsMaster) throw new InvalidOperationException($"{master.Address} is not a master");
        if (topology.ReplicasOf(node).Count > 0) throw new InvalidOperationException($"{master.Address} has replicas; remove those first");
        if (node.SlotCount > 0)
        {
            var heir = topology.Masters.First(m => m.Id != node.Id);
            await ReshardAsync(master, ServerAt(heir.Address), node.SlotCount, cancellation);
        }
        try
        {
            await RedisBinaries.CliAsync(["--cluster", "del-node", Others(master)[0].Address, node.Id], TimeSpan.FromSeconds(60), cancellation);
        }
        finally
        {
            _nodes.Remove(master);
            _emptyMasters.Remove(master.Address);
            await master.DisposeAsync();
        }
        await WaitUntilOkAsync(SettleTimeout, cancellation);
    }
}
