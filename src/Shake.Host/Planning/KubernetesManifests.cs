using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shake.Host.Planning;

/// <summary>What the manifests of a plan are called and run.</summary>
public sealed record KubernetesPlanOptions
{
    /// <summary>Base name: the ConfigMap is <c>{Name}</c>, the StatefulSets <c>{Name}-{i}</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>sync</c> (A → B) or <c>recovery</c> (B → A), the guide's <c>role</c> label.</summary>
    public string Role { get; init; } = "sync";

    /// <summary>The container image running <c>shake</c> with the configuration path as its argument.</summary>
    public string Image { get; init; } = "shake:latest";

    /// <summary>Namespace of every object; none when null.</summary>
    public string? Namespace { get; init; }
}

/// <summary>
/// Renders a plan as Kubernetes manifests in the deployment guide's layout: one ConfigMap holding every process's
/// configuration, and per process a StatefulSet of one replica labelled <c>app.kubernetes.io/component: redis-shake</c>,
/// <c>app.kubernetes.io/part-of: redis-failover</c> and <c>role</c>, whose pod sees its own configuration as
/// <c>/etc/sync/sync.toml</c> and has an emptyDir at <c>/data</c>. Built from YAML nodes (no reflection).
/// </summary>
public static class KubernetesManifests
{
    /// <summary>The path of the configuration inside the pod, the image's default argument.</summary>
    public const string ConfigPath = "/etc/sync/sync.toml";

    /// <summary>The ConfigMap key holding process <paramref name="index"/>'s configuration.</summary>
    public static string ConfigKey(int index) => $"sync-{index.ToString(CultureInfo.InvariantCulture)}.toml";

    /// <summary>Writes the manifests as one multi-document YAML stream.</summary>
    public static void Write(TextWriter output, KubernetesPlanOptions options, IReadOnlyList<PlannedProcess> processes)
    {
        var stream = new YamlStream(new YamlDocument(ConfigMap(options, processes)));
        foreach (var process in processes) stream.Add(new YamlDocument(StatefulSet(options, process)));
        stream.Save(output, assignAnchors: false);
    }

    private static YamlMappingNode ConfigMap(KubernetesPlanOptions options, IReadOnlyList<PlannedProcess> processes)
    {
        var data = new YamlMappingNode();
        foreach (var process in processes)
            data.Add(ConfigKey(process.Index), new YamlScalarNode(process.ConfigText.TrimEnd() + "\n") { Style = ScalarStyle.Literal });
        return new YamlMappingNode
        {
            { "apiVersion", "v1" },
            { "kind", "ConfigMap" },
            { "metadata", Metadata(options, options.Name, Labels(options, options.Name), null) },
            { "data", data },
        };
    }

    private static YamlMappingNode StatefulSet(KubernetesPlanOptions options, PlannedProcess process)
    {
        var name = $"{options.Name}-{process.Index.ToString(CultureInfo.InvariantCulture)}";
        YamlMappingNode Annotations() => new()
        {
            { "shake/shards", Quoted(process.Selection) },
            { "shake/source-shards", Quoted(string.Join(", ", process.Shards.Select(s => $"{s.Shard.ToString(CultureInfo.InvariantCulture)} at {s.Master}"))) },
        };
        var container = new YamlMappingNode
        {
            { "name", "redis-shake" },
            { "image", options.Image },
            { "args", new YamlSequenceNode(Quoted(ConfigPath)) },
            { "volumeMounts", new YamlSequenceNode(
                new YamlMappingNode { { "name", "config" }, { "mountPath", "/etc/sync" } },
                new YamlMappingNode { { "name", "data" }, { "mountPath", "/data" } }) },
        };
        var volumes = new YamlSequenceNode(
            new YamlMappingNode
            {
                { "name", "config" },
                { "configMap", new YamlMappingNode
                {
                    { "name", options.Name },
                    { "items", new YamlSequenceNode(new YamlMappingNode { { "key", ConfigKey(process.Index) }, { "path", "sync.toml" } }) },
                } },
            },
            new YamlMappingNode { { "name", "data" }, { "emptyDir", new YamlMappingNode() } });
        return new YamlMappingNode
        {
            { "apiVersion", "apps/v1" },
            { "kind", "StatefulSet" },
            { "metadata", Metadata(options, name, Labels(options, name), Annotations()) },
            { "spec", new YamlMappingNode
            {
                { "replicas", Plain(1) },
                { "serviceName", name },
                { "selector", new YamlMappingNode { { "matchLabels", new YamlMappingNode { { "app.kubernetes.io/name", name }, { "role", options.Role } } } } },
                { "template", new YamlMappingNode
                {
                    { "metadata", new YamlMappingNode { { "labels", Labels(options, name) }, { "annotations", Annotations() } } },
                    { "spec", new YamlMappingNode { { "containers", new YamlSequenceNode(container) }, { "volumes", volumes } } },
                } },
            } },
        };
    }

    private static YamlMappingNode Labels(KubernetesPlanOptions options, string name) => new()
    {
        { "app.kubernetes.io/component", "redis-shake" },
        { "app.kubernetes.io/name", name },
        { "app.kubernetes.io/part-of", "redis-failover" },
        { "role", options.Role },
    };

    private static YamlMappingNode Metadata(KubernetesPlanOptions options, string name, YamlMappingNode labels, YamlMappingNode? annotations)
    {
        var metadata = new YamlMappingNode { { "name", name } };
        if (options.Namespace is { Length: > 0 } ns) metadata.Add("namespace", ns);
        metadata.Add("labels", labels);
        if (annotations is not null) metadata.Add("annotations", annotations);
        return metadata;
    }

    private static YamlScalarNode Quoted(string text) => new(text) { Style = ScalarStyle.DoubleQuoted };

    private static YamlScalarNode Plain(int value) => new(value.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };
}
