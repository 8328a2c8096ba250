using Shake.Core.Cluster;
using System.CommandLine;
using Shake.Core.Configuration;
using Shake.Host.Connectivity;

namespace Shake.Host.Commands;

/// <summary><c>shake validate [--offline] config.toml</c>: print the effective configuration and check connectivity.</summary>
public static class ValidateCommand
{
    /// <summary>Creates the <c>validate</c> subcommand.</summary>
    public static Command Create()
    {
        var command = new Command("validate", "Print the effective configuration (secrets redacted) and check that source and target answer.");
        var config = new Argument<FileInfo>("config") { Description = "Path to sync.toml." };
        var offline = new Option<bool>("--offline") { Description = "Parse and check only; do not connect." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each server.", DefaultValueFactory = _ => 5 };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not > 0) result.AddError("--timeout must be a positive number of seconds");
        });
        command.Arguments.Add(config);
        command.Options.Add(offline);
        command.Options.Add(timeout);
        command.SetAction((parse, cancellation) => RunAsync(
            parse.GetRequiredValue(config), parse.GetValue(offline), TimeSpan.FromSeconds(parse.GetValue(timeout)),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo file, bool offline, TimeSpan timeout, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var loaded = ConfigConsole.TryLoad(file, error);
        if (loaded is null) return ExitCodes.ConfigError;
        var config = loaded.Config;
        output.Write(ShakeConfigPrinter.Print(config));
        output.WriteLine();
        if (offline)
        {
            output.WriteLine($"# configuration is valid ({loaded.Diagnostics.Count} note{(loaded.Diagnostics.Count == 1 ? "" : "s")}); connectivity not checked (--offline)");
            return ExitCodes.Success;
        }

        output.WriteLine("# connectivity");
        var ok = true;
        if (config.Reader is SyncReaderOptions { Sentinel: { } sentinel })
        {
            // The sentinels name the source master; it is checked at the address they give.
            try
            {
                var master = await new Shake.Core.Sentinel.SentinelMasterLocator(sentinel) { Timeout = timeout }.LocateAsync(cancellation);
                output.WriteLine($"# sentinel {string.Join(",", sentinel.Addresses)}: master '{sentinel.MasterName}' is {master}");
                config = config with { Reader = ((SyncReaderOptions)config.Reader) with { Source = config.Source! with { Address = master } } };
            }
            catch (Shake.Core.Sentinel.SentinelException e)
            {
                output.WriteLine($"# sentinel: FAILED: {e.Message}");
                ok = false;
            }
        }
        if (config.Source is { } source) ok = ok && await CheckAsync("source", source, timeout, output, cancellation);
        else ok &= CheckFile(config.Reader, output);
        ok &= await CheckAsync("target", config.Writer.Target, timeout, output, cancellation);
        if (ok && config.Source is { Cluster: true } clusterSource) ok &= await ShowShardsAsync(clusterSource, config.Advanced.Shards, timeout, output, cancellation);
        else if (ok && config.Source is { } single)
            output.WriteLine($"# source shards: this process follows {single.Address} only (what its PSYNC gives: one shard when it is a cluster leader)");
        if (ok) await DerivedSettings.PrintAsync(config, timeout, output, cancellation);
        output.WriteLine(ok ? "# all checks passed" : "# some checks failed");
        return ok ? ExitCodes.Success : ExitCodes.CheckFailed;
    }

    private static async Task<bool> CheckAsync(string role, RedisInstanceOptions endpoint, TimeSpan timeout, TextWriter output, CancellationToken cancellation)
    {
        var result = await EndpointProbe.ProbeAsync(endpoint, timeout, cancellation);
        var what = result.Outcome switch
        {
            ProbeOutcome.Reachable => "ok",
            ProbeOutcome.Unreachable => "UNREACHABLE",
            ProbeOutcome.AuthenticationFailed => "AUTH FAILED",
            _ => "FAILED",
        };
        output.WriteLine($"# {role} {endpoint.Address}: {what}: {result.Detail}");
        if (!result.Ok) return false;
        // One shake per source leader is a normal deployment, so a cluster-mode source without cluster = true is fine;
        // the other mismatches would fail at run time.
        if (endpoint.Cluster && result.RedisMode is { } mode && mode != "cluster")
        {
            output.WriteLine($"# {role} {endpoint.Address}: MISMATCH: configured as a cluster, but the server runs in {mode} mode");
            return false;
        }
        if (!endpoint.Cluster && role == "target" && result.RedisMode == "cluster")
            output.WriteLine($"# {role} {endpoint.Address}: note: the server is a cluster node, but the target is not configured as a cluster; keys of other nodes' slots will be refused (MOVED)");
        return true;
    }

    // Which shards of the source cluster this configuration would follow, and where the others are served from.
    private static async Task<bool> ShowShardsAsync(RedisInstanceOptions source, string shards, TimeSpan timeout, TextWriter output, CancellationToken cancellation)
    {
        ShardSelection.TryParse(shards, out var selection);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout * 2);
        try
        {
            var list = await ClusterSourceSync.ListShardsAsync(source.ToConnectionOptions(), selection, limit.Token);
            output.WriteLine($"# source shards (shards = \"{(shards.Length == 0 ? "" : shards)}\"): this process serves {list.Count(s => s.Selected)} of {list.Count}");
            foreach (var (shard, master, selected) in list)
                output.WriteLine($"#   shard {shard} at {master}: {(selected ? "served here" : "served by another process")}");
            return true;
        }
        catch (Exception e) when (e is ClusterTopologyException or OperationCanceledException or IOException)
        {
            output.WriteLine($"# source shards: FAILED to read the source cluster's shards: {e.Message}");
            return false;
        }
    }

    private static bool CheckFile(ReaderOptions reader, TextWriter output)
    {
        var path = reader switch
        {
            RdbReaderOptions rdb => rdb.FilePath,
            AofReaderOptions aof => aof.FilePath,
            _ => null,
        };
        if (path is null) return true;
        var exists = File.Exists(path) || Directory.Exists(path);
        output.WriteLine($"# source file {path}: {(exists ? "ok" : "NOT FOUND")}");
        return exists;
    }
}
