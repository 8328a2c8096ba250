using System.CommandLine;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Host.Planning;

namespace Shake.Host.Commands;

/// <summary>
/// <c>shake plan k8s config.toml</c>: reads the source cluster's shards and prints Kubernetes manifests that run the
/// sync as N processes (default: one per source shard) covering every shard exactly once.
/// </summary>
public static class PlanCommand
{
    /// <summary>Creates the <c>plan</c> subcommand with its <c>k8s</c> subcommand.</summary>
    public static Command Create()
    {
        var plan = new Command("plan", "Plan a deployment of a configuration.");
        var k8s = new Command("k8s", "Print Kubernetes manifests (a ConfigMap and one StatefulSet per process) that split a cluster source's shards over N processes.");
        var config = new Argument<FileInfo>("config") { Description = "Path to sync.toml whose source is a node of a cluster (redis-shake v3 or v4 format)." };
        var processes = new Option<int?>("--processes") { Description = "Number of shake processes (default: one per source shard)." };
        var role = new Option<string>("--role") { Description = "sync (A -> B) or recovery (B -> A): the role label and the default name.", DefaultValueFactory = _ => "sync" };
        role.AcceptOnlyFromAmong("sync", "recovery");
        var image = new Option<string>("--image") { Description = "Container image running shake.", DefaultValueFactory = _ => "shake:latest" };
        var ns = new Option<string?>("--namespace") { Description = "Namespace of every object." };
        var name = new Option<string?>("--name") { Description = "Base name of the objects (default: shake-<role>)." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the source cluster.", DefaultValueFactory = _ => 10 };
        k8s.Arguments.Add(config);
        foreach (var option in new Option[] { processes, role, image, ns, name, timeout }) k8s.Options.Add(option);
        k8s.SetAction((parse, cancellation) =>
        {
            var selectedRole = parse.GetValue(role)!;
            var options = new KubernetesPlanOptions
            {
                Name = parse.GetValue(name) ?? $"shake-{selectedRole}",
                Role = selectedRole,
                Image = parse.GetValue(image)!,
                Namespace = parse.GetValue(ns),
            };
            return RunAsync(parse.GetRequiredValue(config), parse.GetValue(processes), options, TimeSpan.FromSeconds(parse.GetValue(timeout)),
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellation);
        });
        plan.Subcommands.Add(k8s);
        return plan;
    }

    private static async Task<int> RunAsync(FileInfo file, int? processes, KubernetesPlanOptions options, TimeSpan timeout, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var loaded = ConfigConsole.TryLoad(file, error);
        if (loaded is null) return ExitCodes.ConfigError;
        if (loaded.Config.Reader is not SyncReaderOptions { Source: var source })
        {
            error.WriteLine($"shake: plan k8s splits a sync from a cluster source, but {file.Name} is a {loaded.Config.DescribeOrigin()}");
            return ExitCodes.ConfigError;
        }
        IReadOnlyList<(int Shard, string Master)> shards;
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
        {
            limit.CancelAfter(timeout);
            try
            {
                shards = [.. (await ClusterSourceSync.ListShardsAsync(source.ToConnectionOptions(), ShardSelection.All, limit.Token)).Select(s => (s.Shard, s.Master))];
            }
            catch (Exception e) when (e is ClusterTopologyException or OperationCanceledException or IOException or Shake.Resp.Connections.RedisConnectionException)
            {
                error.WriteLine($"shake: could not read the shards of the source cluster at {source.Address}: {e.Message}");
                return ExitCodes.CheckFailed;
            }
        }
        IReadOnlyList<PlannedProcess> plan;
        try
        {
            plan = ShardPlanner.Plan(await File.ReadAllTextAsync(file.FullName, cancellation), loaded.Config.Format, shards, processes);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"shake: {e.Message}");
            return ExitCodes.ConfigError;
        }
        output.WriteLine($"# shake plan k8s {file.Name}: {plan.Count} process{(plan.Count == 1 ? "" : "es")} ({options.Role}) for the {shards.Count} shards of {source.Address}");
        foreach (var process in plan)
            output.WriteLine($"#   {options.Name}-{process.Index}: shards = \"{process.Selection}\" serves {string.Join(", ", process.Shards.Select(s => $"shard {s.Shard} at {s.Master}"))}");
        KubernetesManifests.Write(output, options, plan);
        return ExitCodes.Success;
    }
}
