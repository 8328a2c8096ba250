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
}
