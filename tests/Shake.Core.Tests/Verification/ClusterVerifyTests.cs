using System.Text;
using Shake.Core.Verification.Model;
using Shake.Testing;
using static Shake.Core.Tests.Verification.VerifyHarness;

namespace Shake.Core.Tests.Verification;

/// <summary>Verification with a cluster (3 masters, each with a replica that must not be scanned) on either side.</summary>
[Collection("cluster pair")]
public class ClusterVerifyTests(ClusterPairFixture clusters)
{
    // Each command goes to the master owning its key's slot.
    private static async Task RunOnClusterAsync(RedisCluster cluster, params string[][] commands)
    {
        await using var client = await ClusterTestClient.ConnectAsync(cluster);
        foreach (var command in commands)
        {
            var reply = await client.ExecuteAsync([.. command.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a))], command[0] == "XGROUP" ? 2 : 1, CancellationToken.None);
            reply.ThrowIfError(cluster.SeedAddress, command[0]);
        }
    }

    private static IEnumerable<(string Key, DifferenceKind Kind, int SourceDb)> Found(VerifyResult result) =>
        result.Differences.Select(d => (Encoding.UTF8.GetString(d.Key), d.Kind, d.SourceDb)).Order();

    [Fact]
    public async Task ClusterSourceAgainstStandaloneTarget()
    {
        await clusters.ResetAsync();
        var source = clusters.A;
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
        await clusters.ResetAsync();
        await using var source = await RedisServer.StartAsync();
        var target = clusters.B;
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
        await clusters.ResetAsync();
        var (source, target) = (clusters.A, clusters.B);
        await RunOnClusterAsync(source, Everything());
        await RunOnClusterAsync(target, Everything());
        await RunOnClusterAsync(target, ["DEL", "small:11"], ["ZADD", "zset:big", "9999", "m1"], ["SET", "extra", "x"]);

        var result = await VerifyAsync(Side(source.SeedAddress, cluster: true), Side(target.SeedAddress, cluster: true));

        Assert.Equal([("extra", DifferenceKind.ExtraOnTarget, -1), ("small:11", DifferenceKind.MissingOnTarget, 0), ("zset:big", DifferenceKind.Value, 0)], Found(result));
    }
}
