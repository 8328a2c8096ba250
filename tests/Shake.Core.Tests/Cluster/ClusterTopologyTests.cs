using System.Text;
using Shake.Core.Cluster;
using Shake.Core.Routing;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;
using Shake.Testing;

namespace Shake.Core.Tests.Cluster;

[Collection("cluster pair")]
public class ClusterTopologyTests(ClusterPairFixture fixture) : IAsyncLifetime
{
    private RedisCluster Cluster => fixture.A;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static Task<RedisConnection> ConnectAsync(string address, int protocol = 2) =>
        RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = address, Protocol = protocol });

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Shards_and_nodes_agree_on_every_node(int protocol)
    {
        foreach (var server in Cluster.Nodes)
        {
            await using var connection = await ConnectAsync(server.Address, protocol);
            var shards = ClusterTopology.ParseShards((await connection.ExecuteAsync("CLUSTER", "SHARDS")).ThrowIfError(), server.Address);
            var nodes = ClusterTopology.ParseNodes((await connection.ExecuteAsync("CLUSTER", "NODES")).ThrowIfError().AsString()!, server.Address);

            Assert.Equal(Describe(nodes), Describe(shards));
            for (var slot = 0; slot < ClusterSlot.Count; slot++)
                Assert.Equal(nodes.MasterOf(slot), shards.MasterOf(slot));
        }
    }

    [Fact]
    public async Task Layout_covers_every_slot_with_three_masters_of_one_replica_each()
    {
        await using var connection = await ConnectAsync(Cluster.SeedAddress);
        var topology = await ClusterTopology.ReadAsync(connection, CancellationToken.None);

        Assert.True(topology.CoversAllSlots);
        Assert.Equal(6, topology.Nodes.Count);
        Assert.Equal(3, topology.Masters.Count);
        Assert.Equal(ClusterSlot.Count, topology.Masters.Sum(m => m.SlotCount));
        Assert.Equal(0, topology.Masters[0].LowestSlot);
        Assert.All(topology.Nodes, n => Assert.True(n.Healthy, n.ToString()));
        Assert.Equal(Cluster.Nodes.Select(n => n.Address).Order(), topology.Nodes.Select(n => n.Address).Order());
        foreach (var master in topology.Masters)
        {
            var replica = Assert.Single(topology.ReplicasOf(master));
            Assert.Equal(master.Id, replica.MasterId);
            await using var replicaConnection = await ConnectAsync(replica.Address);
            var role = (await replicaConnection.ExecuteAsync("ROLE")).ThrowIfError();
            Assert.Equal("slave", role.Items[0].AsString());
            Assert.Equal(RedisEndpoint.Parse(master.Address).Port, role.Items[2].AsInt64());
        }
    }

    [Fact]
    public async Task MasterOf_is_where_the_cluster_puts_each_key()
    {
        await using var seed = await ConnectAsync(Cluster.SeedAddress);
        var topology = await ClusterTopology.ReadAsync(seed, CancellationToken.None);
        var connections = new Dictionary<string, RedisConnection>();
        try
        {
            foreach (var master in topology.Masters) connections[master.Address] = await ConnectAsync(master.Address);
            for (var i = 0; i < 200; i++)
            {
                var key = i % 10 == 0 ? $"{{tag{i}}}:k" : $"topology-key-{i}";
                var slot = (int)(await seed.ExecuteAsync("CLUSTER", "KEYSLOT", key)).ThrowIfError().AsInt64();
                Assert.Equal(slot, ClusterSlot.Of(Encoding.UTF8.GetBytes(key)));
                var owner = topology.MasterOf(slot)!;
                (await connections[owner].ExecuteAsync("SET", key, "v")).ThrowIfError(owner, "SET");
                foreach (var other in connections.Where(c => c.Key != owner))
                {
                    var moved = (await other.Value.ExecuteAsync("GET", key)).AsError();
                    Assert.Equal(RespErrorKind.Moved, moved.Kind);
                    Assert.Equal(owner, moved.Endpoint);
                }
            }
        }
        finally
        {
            foreach (var c in connections.Values) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Discover_skips_dead_addresses_and_names_them_all_when_none_answers()
    {
        var dead = $"127.0.0.1:{FreePort.Next()}";
        var options = new RedisConnectionOptions { Address = dead, ConnectTimeout = TimeSpan.FromSeconds(2) };
        var topology = await ClusterTopology.DiscoverAsync(options, [Cluster.Nodes[4].Address], CancellationToken.None);
        Assert.True(topology.CoversAllSlots);

        var another = $"127.0.0.1:{FreePort.Next()}";
        var error = await Assert.ThrowsAsync<ClusterTopologyException>(() => ClusterTopology.DiscoverAsync(options, [another], CancellationToken.None));
        Assert.Contains(dead, error.Message);
        Assert.Contains(another, error.Message);
        Assert.Equal([dead, another], error.Addresses);
    }

    [Fact]
    public async Task Falls_back_to_cluster_nodes_when_shards_is_refused()
    {
        var seed = Cluster.SeedAddress;
        await using var admin = await ConnectAsync(seed);
        (await admin.ExecuteAsync("ACL", "SETUSER", "nodes-only", "on", ">secret", "-@all", "+cluster|nodes")).ThrowIfError();
        try
        {
            await using var limited = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = seed, Username = "nodes-only", Password = "secret" });
            Assert.Equal(RespErrorKind.NoPerm, (await limited.ExecuteAsync("CLUSTER", "SHARDS")).AsError().Kind);

            var fallback = await ClusterTopology.ReadAsync(limited, CancellationToken.None);

            var full = await ClusterTopology.ReadAsync(admin, CancellationToken.None);
            Assert.Equal(Describe(full), Describe(fallback));
        }
        finally
        {
            (await admin.ExecuteAsync("ACL", "DELUSER", "nodes-only")).ThrowIfError();
        }
    }

    [Fact]
    public async Task Standalone_server_is_refused_with_its_address()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await ConnectAsync(server.Address);
        var error = await Assert.ThrowsAsync<ClusterTopologyException>(() => ClusterTopology.ReadAsync(connection, CancellationToken.None));
        Assert.Contains(server.Address, error.Message);
        Assert.Contains("cluster support disabled", error.Message);
    }

    private static string[] Describe(ClusterTopology topology) =>
        [.. topology.Nodes.Select(n => $"{n.Id} {n.Address} master={n.IsMaster} of={n.MasterId} healthy={n.Healthy} slots={string.Join(",", n.Slots)}").Order()];
}
