using System.Text;
using Shake.Core.Cluster;
using Shake.Core.Routing;
using Shake.Core.Verification.Model;
using Shake.Resp.Connections;
using Shake.Testing;
using static Shake.Core.Tests.Verification.VerifyHarness;

namespace Shake.Core.Tests.Verification;

public class ClusterVerifyTests
{
    // Each command goes to the master owning its key's slot.
    private static async Task RunOnClusterAsync(RedisCluster cluster, params string[][] commands)
    {
        var topology = await ClusterTopology.DiscoverAsync(new RedisConnectionOptions { Address = cluster.SeedAddress }, null, CancellationToken.None);
        foreach (var group in commands.GroupBy(c => topology.MasterOf(ClusterSlot.Of(Encoding.UTF8.GetBytes(c[0] == "XGROUP" ? c[2] : c[1])))))
            await RunAsync(group.Key!, 0, [.. group]);
    }

    private static IEnumerable<(string Key, DifferenceKind Kind, int SourceDb)> Found(VerifyResult result) =>
        result.Differences.Select(d => (Encoding.UTF8.GetString(d.Key), d.Kind, d.SourceDb)).Order();

    [Fact]
    public async Task ClusterSourceAgainstStandaloneTarget()
    {
        await using var source = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        await using var target = await RedisServer.StartAsync();
        await RunOnClusterAsync(source, Everything());
        await RunAsync(target.Address, 0, Everything());

        var equal = await VerifyAsync(Side(source.SeedAddress, cluster: true), Side(target.Address));
        Assert.True(equal.Equal, string.Join("\n", equal.Differences));
        Assert.Equal(Everything().Select(c => c[0] == "XGROUP" ? c[2] : c[1]).Distinct().Count(), equal.Compared);

        await RunOnClusterAsync(source, ["SET", "small:9", "changed"], ["SET", "only-on-source", "x"], ["HSET", "hash:big", "f7", "x"]);
        await RunAsync(target.Address, 0, ["SET", "only-on-target", "x"]);
        var different = await VerifyAsync(Side(source.SeedAddress, cluster: true), Side(target.Address));
        Assert.Equal(
            [("hash:big", DifferenceKind.Value, 0), ("only-on-source", DifferenceKind.MissingOnTarget, 0), ("only-on-target", DifferenceKind.ExtraOnTarget, -1), ("small:9", DifferenceKind.Value, 0)],
            Found(different));
    }

    [Fact]
    public async Task StandaloneSourceWithSeveralDatabasesAgainstClusterTarget()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        await RunAsync(source.Address, 0, Everything("a:"));
        await RunAsync(source.Address, 2, Everything("b:"));
        await RunOnClusterAsync(target, [.. Everything("a:"), .. Everything("b:")]);

        var equal = await VerifyAsync(Side(source.Address), Side(target.SeedAddress, cluster: true));
        Assert.True(equal.Equal, string.Join("\n", equal.Differences));

        await RunOnClusterAsync(target, ["DEL", "b:small:4"], ["SET", "a:str", "other"], ["SET", "c:extra", "x"]);
        var different = await VerifyAsync(Side(source.Address), Side(target.SeedAddress, cluster: true));
        Assert.Equal([("a:str", DifferenceKind.Value, 0), ("b:small:4", DifferenceKind.MissingOnTarget, 2), ("c:extra", DifferenceKind.ExtraOnTarget, -1)], Found(different));
        Assert.All(different.Differences, d => Assert.Equal(0, d.TargetDb));
    }

    [Fact]
    public async Task ClusterAgainstCluster()
    {
        await using var source = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        await using var target = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);
        await RunOnClusterAsync(source, Everything());
        await RunOnClusterAsync(target, Everything());
        await RunOnClusterAsync(target, ["DEL", "small:11"], ["ZADD", "zset:big", "9999", "m1"], ["SET", "extra", "x"]);

        var result = await VerifyAsync(Side(source.SeedAddress, cluster: true), Side(target.SeedAddress, cluster: true));

        Assert.Equal([("extra", DifferenceKind.ExtraOnTarget, -1), ("small:11", DifferenceKind.MissingOnTarget, 0), ("zset:big", DifferenceKind.Value, 0)], Found(result));
    }
}
