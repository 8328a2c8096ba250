using System.Text;
using Shake.Core.Routing;
using Shake.Testing;

namespace Shake.Core.Tests.Cluster;

/// <summary>The shared cluster pair, the cluster test client, the cluster-aware comparer and the layout-changing helpers.</summary>
[Collection("cluster pair")]
public class ClusterTestInfrastructureTests(ClusterPairFixture fixture) : IAsyncLifetime
{
    private const int KeysPerKind = 8;
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<int> WriteBothAsync()
    {
        await using var a = await ClusterTestClient.ConnectAsync(fixture.A);
        await using var b = await ClusterTestClient.ConnectAsync(fixture.B);
        var written = await a.WriteDatasetAsync(KeysPerKind);
        Assert.Equal(written, await b.WriteDatasetAsync(KeysPerKind));
        return written;
    }

    [Fact]
    public async Task Dataset_spreads_over_every_master_and_compares_equal_to_itself()
    {
        await using var client = await ClusterTestClient.ConnectAsync(fixture.A);
        var written = await client.WriteDatasetAsync(KeysPerKind);

        Assert.Equal(KeysPerKind * TestDataWriter.Kinds.Count, written);
        Assert.Equal(written, await client.CountKeysAsync());
        foreach (var master in client.Topology.Masters)
            Assert.True((await client.ExecuteOnAsync(master.Address, ["DBSIZE"])).AsInt64() > written / 6, $"{master.Address} holds few keys");
        var comparison = await ClusterDataComparer.CompareAsync(fixture.A.Side, fixture.A.Side, Tolerance);
        Assert.Equal(written, comparison.KeysCompared);
        Assert.Empty(comparison.Differences);
        Assert.Equal("stream", (await client.ExecuteAsync("TYPE", "stream:3")).AsString());
        Assert.Equal(2, (await client.ExecuteAsync("XINFO", "GROUPS", "stream:3")).Items.Count);
        Assert.True((await client.ExecuteAsync("PTTL", "ttl:string:5")).AsInt64() > 0);
    }

    [Fact]
    public async Task Comparer_reports_each_differing_key_between_clusters()
    {
        var written = await WriteBothAsync();
        await ClusterDataComparer.AssertEqualAsync(fixture.A.Side, fixture.B.Side, Tolerance);

        await using var b = await ClusterTestClient.ConnectAsync(fixture.B);
        (await b.ExecuteAsync("SET", "string:small:1", "changed")).ThrowIfError();
        (await b.ExecuteAsync("DEL", "hash:large:2")).ThrowIfError();
        (await b.ExecuteAsync("PEXPIRE", "set:int:3", "7200000")).ThrowIfError();
        (await b.ExecuteAsync("RPUSH", "list:small:4", "extra")).ThrowIfError();
        (await b.ExecuteAsync("SET", "only-on-target", "x")).ThrowIfError();
        (await b.ExecuteAsync("XACK", "stream:5", "readers", "1700000000003-5")).ThrowIfError();

        var comparison = await ClusterDataComparer.CompareAsync(fixture.A.Side, fixture.B.Side, Tolerance);

        Assert.Equal(written + 1, comparison.KeysCompared);
        var byKey = comparison.Differences.ToDictionary(d => d.Key, d => d.What);
        Assert.Equal(6, byKey.Count);
        Assert.StartsWith("string value", byKey["string:small:1"]);
        Assert.Equal("missing on target", byKey["hash:large:2"]);
        Assert.Equal("ttl", byKey["set:int:3"]);
        Assert.StartsWith("list value", byKey["list:small:4"]);
        Assert.Equal("extra on target", byKey["only-on-target"]);
        Assert.StartsWith("stream value", byKey["stream:5"]);
    }

    [Fact]
    public async Task Standalone_and_cluster_compare_equal_with_the_same_data()
    {
        await using var standalone = await RedisServer.StartAsync();
        var written = await TestDataWriter.PopulateAsync(standalone.Address, KeysPerKind);
        await using var client = await ClusterTestClient.ConnectAsync(fixture.B);
        Assert.Equal(written, await client.WriteDatasetAsync(KeysPerKind));

        await ClusterDataComparer.AssertEqualAsync(RedisDataSide.Standalone(standalone.Address), fixture.B.Side, Tolerance);
        await ClusterDataComparer.AssertEqualAsync(fixture.B.Side, RedisDataSide.Standalone(standalone.Address), Tolerance);

        (await client.ExecuteAsync("DEL", "zset:large:0")).ThrowIfError();
        var comparison = await ClusterDataComparer.CompareAsync(RedisDataSide.Standalone(standalone.Address), fixture.B.Side, Tolerance);
        Assert.Equal("missing on target", Assert.Single(comparison.Differences).What);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Failover_promotes_the_replica_keeps_the_data_and_the_client_follows_moved(bool takeover)
    {
        await WriteBothAsync();
        await using var client = await ClusterTestClient.ConnectAsync(fixture.A);
        var cluster = fixture.A;
        var master = (await cluster.MastersAsync())[1];
        var replica = await cluster.ReplicaOfAsync(master);
        await cluster.WaitForReplicasAsync();

        await cluster.FailoverAsync(replica, takeover);

        var topology = await cluster.ReadTopologyAsync();
        var promoted = topology.Nodes.Single(n => n.Address == replica.Address);
        Assert.True(promoted.IsMaster);
        Assert.Equal(promoted.Id, topology.Nodes.Single(n => n.Address == master.Address).MasterId);
        var key = Enumerable.Range(0, 1000).Select(i => $"probe-{i}").First(k => topology.MasterOf(ClusterSlot.Of(Encoding.UTF8.GetBytes(k))) == replica.Address);
        (await client.ExecuteAsync("SET", key, "after-failover")).ThrowIfError();
        Assert.True(client.MovedCount > 0, "the client's layout predates the failover, so the old master must have answered MOVED");
        Assert.Equal("after-failover", (await client.ExecuteAsync("GET", key)).AsString());
        (await client.ExecuteAsync("DEL", key)).ThrowIfError();
        await ClusterDataComparer.AssertEqualAsync(cluster.Side, fixture.B.Side, Tolerance);
    }

    [Fact]
    public async Task Reset_fails_back_without_recreating_the_cluster()
    {
        await WriteBothAsync();
        var cluster = fixture.A;
        var before = await cluster.ReadTopologyAsync();
        await cluster.FailoverAsync(await cluster.ReplicaOfAsync((await cluster.MastersAsync())[0]), takeover: false);
        var recreations = fixture.Recreations;

        await fixture.ResetAsync();

        Assert.Same(cluster, fixture.A);
        Assert.Equal(recreations, fixture.Recreations);
        var after = await fixture.A.ReadTopologyAsync();
        Assert.Equal(before.Masters.Select(m => (m.Address, string.Join(",", m.Slots))), after.Masters.Select(m => (m.Address, string.Join(",", m.Slots))));
        foreach (var node in fixture.A.Nodes)
            Assert.Equal("0", (await node.CliAsync("dbsize")).Trim());
        foreach (var node in fixture.B.Nodes)
            Assert.Equal("0", (await node.CliAsync("dbsize")).Trim());
    }

    [Fact]
    public async Task Killed_master_is_replaced_by_its_replica_and_reset_recreates_the_cluster()
    {
        await WriteBothAsync();
        var cluster = fixture.A;
        await cluster.WaitForReplicasAsync();
        var replica = await cluster.ReplicaOfAsync((await cluster.MastersAsync())[2]);
        var recreations = fixture.Recreations;

        var killed = await cluster.KillMasterAsync(2);

        Assert.False(killed.IsRunning);
        var topology = await cluster.ReadTopologyAsync();
        Assert.True(topology.CoversAllSlots);
        Assert.Contains(topology.Masters, m => m.Address == replica.Address);
        await ClusterDataComparer.AssertEqualAsync(cluster.Side, fixture.B.Side, Tolerance);

        await fixture.ResetAsync();
        Assert.Equal(recreations + 1, fixture.Recreations);
        Assert.NotSame(cluster, fixture.A);
        Assert.All(fixture.A.Nodes, n => Assert.True(n.IsRunning));
        Assert.Equal(3, (await fixture.A.ReadTopologyAsync()).Masters.Count);
    }

    [Fact]
    public async Task Reshard_moves_slots_with_their_keys()
    {
        await WriteBothAsync();
        await using var client = await ClusterTestClient.ConnectAsync(fixture.A);
        var cluster = fixture.A;
        var masters = await cluster.MastersAsync();
        var before = await cluster.ReadTopologyAsync();
        var from = before.Masters[0];

        await cluster.ReshardAsync(masters[0], masters[1], 1000);

        var after = await cluster.ReadTopologyAsync();
        Assert.Equal(from.SlotCount - 1000, after.Masters.Single(m => m.Id == from.Id).SlotCount);
        Assert.Equal(before.Masters[1].SlotCount + 1000, after.Masters.Single(m => m.Id == before.Masters[1].Id).SlotCount);
        Assert.Equal(masters[1], await cluster.MasterForAsync(0));
        await ClusterDataComparer.AssertEqualAsync(cluster.Side, fixture.B.Side, Tolerance);
        // The client still routes by the old layout: it must follow MOVED to the key's new owner.
        var key = Enumerable.Range(0, 5000).Select(i => $"moved-{i}").First(k => ClusterSlot.Of(Encoding.UTF8.GetBytes(k)) < 1000);
        (await client.ExecuteAsync("SET", key, "v")).ThrowIfError();
        Assert.Equal(1, client.MovedCount);
        Assert.Equal("v", (await client.ExecuteOnAsync(masters[1].Address, ["GET", key])).AsString());
    }

    [Fact]
    public async Task Client_follows_ask_during_a_slot_migration()
    {
        await using var client = await ClusterTestClient.ConnectAsync(fixture.A);
        var topology = client.Topology;
        var source = topology.Masters[0];
        var target = topology.Masters[1];
        var key = Enumerable.Range(0, 100000).Select(i => $"ask-{i}").First(k => topology.OwnerOf(ClusterSlot.Of(Encoding.UTF8.GetBytes(k))) == source);
        var slot = ClusterSlot.Of(Encoding.UTF8.GetBytes(key)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Slot marked migrating on its owner and importing on the target; the key is not on the owner, so the owner answers ASK.
        (await client.ExecuteOnAsync(target.Address, ["CLUSTER", "SETSLOT", slot, "IMPORTING", source.Id])).ThrowIfError();
        (await client.ExecuteOnAsync(source.Address, ["CLUSTER", "SETSLOT", slot, "MIGRATING", target.Id])).ThrowIfError();
        try
        {
            (await client.ExecuteAsync("SET", key, "asked")).ThrowIfError();
            Assert.Equal(1, client.AskCount);
            Assert.Equal(0, client.MovedCount);
            Assert.Equal(1, (await client.ExecuteOnAsync(target.Address, ["CLUSTER", "COUNTKEYSINSLOT", slot])).AsInt64());
            Assert.Equal(0, (await client.ExecuteOnAsync(source.Address, ["CLUSTER", "COUNTKEYSINSLOT", slot])).AsInt64());
        }
        finally
        {
            // Back to the created layout: drop the key from the importing node, then end the migration on both sides.
            (await client.ExecuteOnAsync(target.Address, ["ASKING"])).ThrowIfError();
            (await client.ExecuteOnAsync(target.Address, ["DEL", key])).ThrowIfError();
            (await client.ExecuteOnAsync(target.Address, ["CLUSTER", "SETSLOT", slot, "STABLE"])).ThrowIfError();
            (await client.ExecuteOnAsync(source.Address, ["CLUSTER", "SETSLOT", slot, "STABLE"])).ThrowIfError();
        }
    }

    [Fact]
    public async Task Added_master_takes_slots_and_gives_them_back_when_removed()
    {
        var written = await WriteBothAsync();
        var cluster = fixture.A;
        var masters = await cluster.MastersAsync();

        var added = await cluster.AddMasterAsync();
        Assert.Contains(added, cluster.Nodes);
        await cluster.ReshardAsync(masters[0], added, 500);
        Assert.Equal(4, (await cluster.ReadTopologyAsync()).Masters.Count);
        await ClusterDataComparer.AssertEqualAsync(cluster.Side, fixture.B.Side, Tolerance);

        await cluster.RemoveMasterAsync(added);

        Assert.DoesNotContain(added, cluster.Nodes);
        var topology = await cluster.ReadTopologyAsync();
        Assert.Equal(3, topology.Masters.Count);
        Assert.Equal(6, topology.Nodes.Count);
        Assert.True(topology.CoversAllSlots);
        await ClusterDataComparer.AssertEqualAsync(cluster.Side, fixture.B.Side, Tolerance);
        await using var client = await ClusterTestClient.ConnectAsync(cluster);
        Assert.Equal(written, await client.CountKeysAsync());
    }
}
