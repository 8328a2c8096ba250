using Shake.Testing;

namespace Shake.Host.Tests;

public class HarnessTests
{
    [Fact]
    public async Task StandaloneServerStartsAnswersAndIsRemovedOnDispose()
    {
        string directory;
        await using (var server = await RedisServer.StartAsync())
        {
            directory = server.Directory;
            Assert.Equal("PONG", (await server.CliAsync("PING")).Trim());
            Assert.Contains("redis_version:", await server.CliAsync("INFO", "server"));
        }
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task ClusterOfThreeMastersAndThreeReplicasReachesOk()
    {
        await using var cluster = await RedisCluster.StartAsync();
        var info = await cluster.Nodes[0].CliAsync("cluster", "info");
        Assert.Contains("cluster_state:ok", info);
        Assert.Contains("cluster_size:3", info);
        var nodes = await cluster.Nodes[0].CliAsync("cluster", "nodes");
        var roles = nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[2]).ToList();
        Assert.Equal(3, roles.Count(r => r.Contains("master")));
        Assert.Equal(3, roles.Count(r => r.Contains("slave")));
    }

    [Fact]
    public async Task TheDataComparerComparesExpiryTimesNotTheTtlLeftWhenRead()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        var at = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        foreach (var (server, near, far) in new[] { (source, at, at), (target, at + 400, at + 5000) })
        {
            await server.CliAsync("SET", "near", "v", "PXAT", near.ToString());
            await server.CliAsync("SET", "far", "v", "PXAT", far.ToString());
            await server.CliAsync("SET", "persistent", "v");
        }
        await target.CliAsync("PEXPIREAT", "persistent", at.ToString());

        // Reading late must not matter: the comparison is of absolute times.
        await Task.Delay(1500);
        var result = await RedisDataComparer.CompareAsync(RedisDataSide.Standalone(source.Address), RedisDataSide.Standalone(target.Address), TimeSpan.FromSeconds(1));
        Assert.Equal(3, result.KeysCompared);
        Assert.Equal(["far", "persistent"], result.Differences.Select(d => d.Key).Order());
        Assert.All(result.Differences, d => Assert.Equal("ttl", d.What));
        Assert.Contains(result.Differences, d => d.ToString().Contains("no ttl") && d.ToString().Contains("expires at"));
    }
}
