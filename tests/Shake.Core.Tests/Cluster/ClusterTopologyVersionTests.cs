using Shake.Core.Cluster;
using Shake.Core.Routing;
using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Core.Tests.Cluster;

/// <summary>CLUSTER SHARDS and CLUSTER NODES as other server versions write them (binaries from ../shared/servers).</summary>
public class ClusterTopologyVersionTests
{
    [SharedTheory]
    [InlineData("redis-server-7.2.6")]
    [InlineData("redis-server-7.4.1")]
    [InlineData("valkey-server-8.0.1")]
    public async Task Shards_and_nodes_agree(string binary)
    {
        var path = SharedAssets.PathOf("servers", binary)!;
        Assert.True(File.Exists(path), $"{path} is missing");
        await using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 1, serverPath: path);
        foreach (var protocol in new[] { 2, 3 })
        {
            await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = cluster.SeedAddress, Protocol = protocol });
            var shards = ClusterTopology.ParseShards((await connection.ExecuteAsync("CLUSTER", "SHARDS")).ThrowIfError(), cluster.SeedAddress);
            var nodes = ClusterTopology.ParseNodes((await connection.ExecuteAsync("CLUSTER", "NODES")).ThrowIfError().AsString()!, cluster.SeedAddress);

            Assert.True(shards.CoversAllSlots);
            Assert.Equal(3, shards.Masters.Count);
            Assert.All(shards.Masters, m => Assert.Single(shards.ReplicasOf(m)));
            Assert.All(shards.Nodes, n => Assert.True(n.Healthy, n.ToString()));
            Assert.Equal(
                nodes.Nodes.Select(n => $"{n.Id} {n.Address} {n.IsMaster} {n.MasterId} {n.Healthy} {string.Join(",", n.Slots)}").Order(),
                shards.Nodes.Select(n => $"{n.Id} {n.Address} {n.IsMaster} {n.MasterId} {n.Healthy} {string.Join(",", n.Slots)}").Order());
            for (var slot = 0; slot < ClusterSlot.Count; slot += 97)
                Assert.Equal(nodes.MasterOf(slot), shards.MasterOf(slot));
        }
    }
}
