using Shake.Core.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shake.Host.Tests.Packaging;

/// <summary>docker/compose.yaml (a local source, target and shake) parsed as YAML, and the configuration it mounts.</summary>
public class ComposeFileTests
{
    private static YamlMappingNode LoadCompose()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(RepositoryPaths.Of("docker", "compose.yaml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static IReadOnlyList<string> List(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? [.. ((YamlSequenceNode)value).Children.Select(c => ((YamlScalarNode)c).Value!)]
            : [];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;

    [Fact]
    public void ServicesAreASourceATargetAndShakeBuiltFromTheDockerfileWithTheMountedConfig()
    {
        var services = Map(LoadCompose(), "services");
        Assert.Equal(["source", "target", "shake"], services.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var shake = Map(services, "shake");
        var build = Map(shake, "build");
        Assert.Equal("..", Scalar(build, "context"));
        Assert.Equal("docker/Dockerfile", Scalar(build, "dockerfile"));
        Assert.True(File.Exists(RepositoryPaths.Of("docker", Scalar(build, "context"), Scalar(build, "dockerfile"))));
        Assert.Equal(["source", "target"], Map(shake, "depends_on").Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var volumes = List(shake, "volumes");
        Assert.Contains("./sync.toml:/etc/sync/sync.toml:ro", volumes);
        var data = Assert.Single(volumes, v => v.EndsWith(":/data"));
        Assert.True(Map(LoadCompose(), "volumes").Children.ContainsKey(new YamlScalarNode(data.Split(':')[0])), "the data volume is declared");
        Assert.Equal(["CMD", "/opt/shake/healthcheck"], List(Map(shake, "healthcheck"), "test"));
    }

    [Fact]
    public void EveryPortIsPublishedOnLoopbackOnlyAndShakesIsItsStatusPort()
    {
        var services = Map(LoadCompose(), "services");
        var ports = services.Children.Values.Cast<YamlMappingNode>().SelectMany(s => List(s, "ports")).ToList();
        Assert.Equal(3, ports.Count);
        Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p));
        Assert.Equal(3, ports.Select(p => p.Split(':')[1]).Distinct().Count());

        // The mounted configuration loads, names the other services, leaves `dir` to the image and serves the published status port.
        var loaded = ShakeConfigLoader.Load(RepositoryPaths.Of("docker", "sync.toml"));
        Assert.Equal("source:6379", Assert.IsType<SyncReaderOptions>(loaded.Config.Reader).Source.Address);
        Assert.Equal("target:6379", loaded.Config.Writer.Target.Address);
        Assert.DoesNotContain("dir", File.ReadAllLines(RepositoryPaths.Of("docker", "sync.toml")).Select(l => l.Split('=')[0].Trim()));
        var shakePort = Assert.Single(List(Map(services, "shake"), "ports"));
        Assert.Equal(loaded.Config.Advanced.StatusPort.ToString(), shakePort.Split(':')[2]);
    }
}
