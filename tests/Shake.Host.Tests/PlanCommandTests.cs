using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Host.Commands;
using Shake.Host.Planning;
using Shake.Resp.Connections;
using Shake.Testing;
using YamlDotNet.RepresentationModel;

namespace Shake.Host.Tests;

/// <summary>A real 3-master cluster for the <c>shake plan k8s</c> tests, started once for the class.</summary>
public sealed class PlanClusterFixture : IAsyncLifetime
{
    private RedisCluster? _cluster;

    /// <summary>The source cluster.</summary>
    public RedisCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 0);

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}

/// <summary><c>shake plan k8s</c> against a real loopback cluster: the printed YAML is parsed and every shard must appear once.</summary>
public sealed class PlanCommandTests(PlanClusterFixture fixture) : IClassFixture<PlanClusterFixture>
{
    private string V4Config() => $"""
        # the sync of cluster A into cluster B
        [sync_reader]
        address = "{fixture.Cluster.SeedAddress}"
        password = ""

        [redis_writer]
        cluster = true
        address = "127.0.0.1:{FreePort.Next()}"

        [advanced]
        dir = "data"
        log_level = "warn"
        """;

    private static async Task<List<YamlMappingNode>> PlanAsync(string config, params string[] options)
    {
        using var dir = new TempDir();
        var (code, output, error) = await ShakeRunner.RunAsync(["plan", "k8s", dir.Write("sync.toml", config), .. options]);
        Assert.True(code == ExitCodes.Success, error + output);
        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static string Text(YamlNode node, params string[] path)
    {
        foreach (var step in path) node = ((YamlMappingNode)node)[step];
        return ((YamlScalarNode)node).Value!;
    }

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var step in path) node = ((YamlMappingNode)node)[step];
        return node;
    }

    /// <summary>Checks the guide's layout and returns, per StatefulSet, the configuration its pod sees at /etc/sync/sync.toml.</summary>
    private static List<ShakeConfig> CheckLayout(List<YamlMappingNode> documents, string role, int processes)
    {
        Assert.Equal(1 + processes, documents.Count);
        var configMap = documents[0];
        Assert.Equal("ConfigMap", Text(configMap, "kind"));
        var configMapName = Text(configMap, "metadata", "name");
        var data = (YamlMappingNode)Node(configMap, "data");
        var configs = new List<ShakeConfig>();
        foreach (var set in documents.Skip(1))
        {
            Assert.Equal("StatefulSet", Text(set, "kind"));
            Assert.Equal("apps/v1", Text(set, "apiVersion"));
            foreach (var labels in new[] { Node(set, "metadata", "labels"), Node(set, "spec", "template", "metadata", "labels") })
            {
                Assert.Equal("redis-shake", Text(labels, "app.kubernetes.io/component"));
                Assert.Equal("redis-failover", Text(labels, "app.kubernetes.io/part-of"));
                Assert.Equal(role, Text(labels, "role"));
            }
            Assert.Equal("1", Text(set, "spec", "replicas"));
            var selector = (YamlMappingNode)Node(set, "spec", "selector", "matchLabels");
            foreach (var (key, value) in selector) Assert.Equal(((YamlScalarNode)value).Value, Text(set, "spec", "template", "metadata", "labels", ((YamlScalarNode)key).Value!));
            var podSpec = Node(set, "spec", "template", "spec");
            var container = (YamlMappingNode)((YamlSequenceNode)Node(podSpec, "containers")).Single();
            Assert.Equal("/etc/sync/sync.toml", ((YamlScalarNode)((YamlSequenceNode)container["args"]).Single()).Value);
            var mounts = ((YamlSequenceNode)container["volumeMounts"]).Cast<YamlMappingNode>().ToDictionary(m => Text(m, "mountPath"), m => Text(m, "name"));
            var volumes = ((YamlSequenceNode)Node(podSpec, "volumes")).Cast<YamlMappingNode>().ToDictionary(v => Text(v, "name"));
            Assert.Empty((YamlMappingNode)Node(volumes[mounts["/data"]], "emptyDir"));
            var configVolume = volumes[mounts["/etc/sync"]];
            Assert.Equal(configMapName, Text(configVolume, "configMap", "name"));
            var item = (YamlMappingNode)((YamlSequenceNode)Node(configVolume, "configMap", "items")).Single();
            Assert.Equal("sync.toml", Text(item, "path"));
            configs.Add(ShakeConfigLoader.LoadText(Text(data, Text(item, "key"))).Config);
        }
        return configs;
    }

    /// <summary>Asserts that the processes' <c>shards</c> selections cover every shard of the source exactly once.</summary>
    private async Task AssertEveryShardOnceAsync(IEnumerable<ShakeConfig> configs)
    {
        var seed = new RedisConnectionOptions { Address = fixture.Cluster.SeedAddress };
        var served = new Dictionary<int, int>();
        foreach (var config in configs)
        {
            Assert.True(config.Source!.Cluster);
            Assert.True(ShardSelection.TryParse(config.Advanced.Shards, out var selection), config.Advanced.Shards);
            foreach (var shard in (await ClusterSourceSync.ListShardsAsync(seed, selection, CancellationToken.None)).Where(s => s.Selected))
                served[shard.Shard] = served.GetValueOrDefault(shard.Shard) + 1;
        }
        var all = await ClusterSourceSync.ListShardsAsync(seed, ShardSelection.All, CancellationToken.None);
        Assert.Equal(all.Select(s => s.Shard).Order(), served.Keys.Order());
        Assert.All(served.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task OneProcessPerSourceShardByDefaultEachServingItsOwnShard()
    {
        var documents = await PlanAsync(V4Config(), "--image", "registry.example/shake:1.0", "--namespace", "redis-b");
        var configs = CheckLayout(documents, "sync", 3);
        await AssertEveryShardOnceAsync(configs);
        Assert.Equal(["0/3", "1/3", "2/3"], configs.Select(c => c.Advanced.Shards));
        Assert.All(documents, d => Assert.Equal("redis-b", Text(d, "metadata", "namespace")));
        Assert.Equal("registry.example/shake:1.0", Text(((YamlSequenceNode)Node(documents[1], "spec", "template", "spec", "containers"))[0], "image"));
        // The user's file is kept, comments included; only the source mode and the shards are set.
        var text = Text(documents[0], "data", KubernetesManifests.ConfigKey(0));
        Assert.Contains("# the sync of cluster A into cluster B", text);
        Assert.Equal(ShakeLogLevel.Warn, configs[0].Advanced.LogLevel);
    }

    [Fact]
    public async Task FewerProcessesThanShardsStillCoverEveryShardOnce()
    {
        var configs = CheckLayout(await PlanAsync(V4Config(), "--processes", "2"), "sync", 2);
        await AssertEveryShardOnceAsync(configs);
    }

    [Fact]
    public async Task TheGuidesV3RecoveryFileBecomesRecoveryProcessesOverTheWholeCluster()
    {
        // The guide's recovery.toml: v3, [source] one leader of B, [target] type = "cluster".
        var config = $"""
            type = "sync"

            [source]
            version = 7.0
            address = "{fixture.Cluster.SeedAddress}"
            password = ""

            [target]
            type = "cluster"
            address = "127.0.0.1:{FreePort.Next()}"
            password = ""

            [advanced]
            dir = "data"
            rdb_restore_command_behavior = "rewrite"
            """;
        var documents = await PlanAsync(config, "--role", "recovery");
        var configs = CheckLayout(documents, "recovery", 3);
        Assert.StartsWith("shake-recovery", Text(documents[1], "metadata", "name"));
        Assert.All(configs, c => Assert.Equal(ConfigFormat.RedisShakeV3, c.Format));
        await AssertEveryShardOnceAsync(configs);
    }

    [Fact]
    public async Task MoreProcessesThanShardsIsRefused()
    {
        using var dir = new TempDir();
        var (code, _, error) = await ShakeRunner.RunAsync("plan", "k8s", dir.Write("sync.toml", V4Config()), "--processes", "4");
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Contains("4 processes for 3 source shards", error);
    }
}
