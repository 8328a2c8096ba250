using System.CommandLine;
using System.Runtime.InteropServices;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Core.Verification.Keyspace;
using Shake.Core.Verification.Model;
using Shake.Core.Verification.Running;
using Shake.Host.Commands.Verify;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Host.Commands;

/// <summary>
/// <c>shake verify config.toml [filter.lua]</c>: compares the source and the target as the configuration maps them
/// (filters, databases, cluster sides), re-checks differences in rounds, prints a summary, writes a JSON lines report,
/// and exits 0 only when the target holds what the source holds.
/// </summary>
public static class VerifyCommand
{
    /// <summary>Creates the <c>verify</c> subcommand.</summary>
    public static Command Create()
    {
        var command = new Command("verify", "Compare source and target key by key as the configuration maps them; exit 0 only when they are equal.");
        var config = new Argument<FileInfo>("config") { Description = "Path to sync.toml (redis-shake v3 or v4 format)." };
        var filter = new Argument<FileInfo?>("filter") { Description = "Optional Lua filter script (redis-shake v3 contract), as given to the sync.", Arity = ArgumentArity.ZeroOrOne };
        var sample = new Option<long?>("--sample") { Description = "Compare about this many source keys instead of all." };
        var percent = new Option<double?>("--percent") { Description = "Compare about this percentage of the source keys instead of all." };
        var rate = new Option<int>("--rate") { Description = "Most keys read per second (0: no limit).", DefaultValueFactory = _ => 0 };
        var rounds = new Option<int>("--rounds") { Description = "Re-checks of the keys still different.", DefaultValueFactory = _ => 3 };
        var delay = new Option<double>("--delay") { Description = "Seconds to wait before each re-check.", DefaultValueFactory = _ => 2 };
        var tolerance = new Option<int>("--ttl-tolerance") { Description = "Milliseconds two expiries may differ by.", DefaultValueFactory = _ => 1000 };
        var report = new Option<string>("--report") { Description = "JSON lines file listing every difference.", DefaultValueFactory = _ => "verify-report.jsonl" };
        var batch = new Option<int>("--batch") { Description = "Keys per SCAN and per probe.", DefaultValueFactory = _ => 512 };
        var parallel = new Option<int>("--parallel") { Description = "Batches compared at once.", DefaultValueFactory = _ => 8 };
        var bigValue = new Option<int>("--big-value") { Description = "Elements (or string bytes) above which a value read by shake is read in windows.", DefaultValueFactory = _ => 4096 };
        var noServerDigest = new Option<bool>("--no-server-digest") { Description = "Do not use DEBUG DIGEST-VALUE; read and digest values in shake." };
        var maxDifferences = new Option<int>("--max-differences") { Description = "Stop comparing once this many keys differ.", DefaultValueFactory = _ => 1_000_000 };
        var progress = new Option<double>("--progress") { Description = "Seconds between progress lines.", DefaultValueFactory = _ => 1 };
        command.Arguments.Add(config);
        command.Arguments.Add(filter);
        foreach (var option in new Option[] { sample, percent, rate, rounds, delay, tolerance, report, batch, parallel, bigValue, noServerDigest, maxDifferences, progress })
            command.Options.Add(option);
        command.SetAction((parse, cancellation) =>
        {
            var options = new VerifyOptions
            {
                Mode = parse.GetValue(sample) is not null ? VerifyMode.SampleCount : parse.GetValue(percent) is not null ? VerifyMode.SamplePercent : VerifyMode.Complete,
                SampleCount = parse.GetValue(sample) ?? 0,
                SamplePercent = parse.GetValue(percent) ?? 0,
                RateLimit = parse.GetValue(rate),
                Rounds = parse.GetValue(rounds),
                RoundDelay = TimeSpan.FromSeconds(parse.GetValue(delay)),
                TtlTolerance = TimeSpan.FromMilliseconds(parse.GetValue(tolerance)),
                BatchSize = parse.GetValue(batch),
                Parallelism = parse.GetValue(parallel),
                BigValueThreshold = parse.GetValue(bigValue),
                ServerDigest = !parse.GetValue(noServerDigest),
                MaxDifferences = parse.GetValue(maxDifferences),
                ProgressInterval = TimeSpan.FromSeconds(parse.GetValue(progress)),
            };
            if (Invalid(options) is { } invalid)
            {
                parse.InvocationConfiguration.Error.WriteLine($"shake: {invalid}");
                return Task.FromResult(ExitCodes.ConfigError);
            }
            return RunAsync(parse.GetRequiredValue(config), parse.GetValue(filter), options, parse.GetValue(report)!,
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellation);
        });
        return command;
    }

    private static async Task<int> RunAsync(FileInfo file, FileInfo? script, VerifyOptions options, string reportPath, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var loaded = ConfigConsole.TryLoad(file, error);
        if (loaded is null) return ExitCodes.ConfigError;
        if (script is not null && !script.Exists)
        {
            error.WriteLine($"shake: filter script {script} does not exist");
            return ExitCodes.ConfigError;
        }
        var config = loaded.Config with { Filter = loaded.Config.Filter with { LuaScriptPath = script?.FullName } };
        if (config.Source is not { } sourceOptions)
        {
            error.WriteLine($"shake: verify compares two servers, but {file.Name} reads from a file ({config.DescribeOrigin()})");
            return ExitCodes.NotImplemented;
        }
        if (config.Writer.Sentinel)
        {
            error.WriteLine("shake: verify does not resolve a sentinel-managed target yet");
            return ExitCodes.NotImplemented;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            using var mapping = DbMapping.Create(config.Filter, sourceOptions.Cluster, config.Writer.Target.Cluster);
            mapping.CheckpointPrefix = System.Text.Encoding.UTF8.GetBytes(config.Advanced.CheckpointKey);
            await using var source = await KeyspaceFactory.OpenAsync(sourceOptions, options.ServerDigest, stop.Token);
            await using var target = await KeyspaceFactory.OpenAsync(config.Writer.Target, options.ServerDigest, stop.Token);
            output.WriteLine($"shake verify: source {source.Describe()}");
            output.WriteLine($"shake verify: target {target.Describe()}");
            output.WriteLine($"shake verify: {Describe(options)}");
            var verifier = new KeyspaceVerifier(source, target, mapping, options, p => error.WriteLine(VerifySummary.Progress(p)));
            var result = await verifier.RunAsync(stop.Token);
            await VerifyReportWriter.WriteAsync(reportPath, result.Differences, CancellationToken.None);
            foreach (var line in VerifySummary.Lines(result, reportPath)) output.WriteLine(line);
            return result.Equal ? ExitCodes.Success : ExitCodes.DifferencesFound;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            error.WriteLine("shake: verify was stopped before it finished; nothing is proven");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is RedisConnectionException or RedisServerException or ClusterTopologyException or LuaFilterException or FilterStoppedException or IOException or ArgumentException or FormatException)
        {
            error.WriteLine($"shake: verify failed: {e.Message}");
            return e is RedisConnectionException or ClusterTopologyException ? ExitCodes.CheckFailed : ExitCodes.Failed;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    // Checked here rather than by option validators, which do not see the options' default values.
    private static string? Invalid(VerifyOptions options) => options switch
    {
        { Mode: VerifyMode.SampleCount, SamplePercent: > 0 } => "--sample and --percent exclude each other",
        { Mode: VerifyMode.SampleCount, SampleCount: <= 0 } => "--sample must be a positive number of keys",
        { Mode: VerifyMode.SamplePercent, SamplePercent: not (> 0 and <= 100) } => "--percent must be in (0, 100]",
        { RateLimit: < 0 } => "--rate must be 0 (no limit) or a positive number of keys per second",
        { Rounds: < 0 } => "--rounds must not be negative",
        _ when options.RoundDelay < TimeSpan.Zero => "--delay must not be negative",
        _ when options.TtlTolerance < TimeSpan.Zero => "--ttl-tolerance must not be negative",
        { BatchSize: < 1 } or { Parallelism: < 1 } or { BigValueThreshold: < 1 } or { MaxDifferences: < 1 } => "--batch, --parallel, --big-value and --max-differences must be positive",
        _ when options.ProgressInterval <= TimeSpan.Zero => "--progress must be a positive number of seconds",
        _ => null,
    };

    private static string Describe(VerifyOptions options)
    {
        var mode = options.Mode switch
        {
            VerifyMode.SampleCount => $"a sample of about {options.SampleCount:N0} keys",
            VerifyMode.SamplePercent => $"a sample of about {options.SamplePercent}% of the keys",
            _ => "every key",
        };
        var rate = options.RateLimit > 0 ? $", at most {options.RateLimit:N0} keys/s" : "";
        return $"comparing {mode}{rate}; up to {options.Rounds} re-check round{(options.Rounds == 1 ? "" : "s")} {options.RoundDelay.TotalSeconds:0.###} s apart; expiries within {options.TtlTolerance.TotalMilliseconds:0} ms";
    }
}
