using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Core.Conversion;
using Shake.Core.Engine;
using Shake.Core.Sentinel;
using Shake.Host.Running;
using Shake.Host.Status;
using Shake.Host.Running.Terminal;

namespace Shake.Host.Commands;

/// <summary>The default action: <c>shake config.toml [filter.lua]</c>, the redis-shake calling convention.</summary>
public static class SyncCommand
{
    /// <summary>Adds the config and filter arguments and the run action to the root command.</summary>
    public static void Attach(RootCommand root)
    {
        var config = new Argument<FileInfo?>("config") { Description = "Path to sync.toml (redis-shake v3 or v4 format).", Arity = ArgumentArity.ZeroOrOne };
        var filter = new Argument<FileInfo?>("filter") { Description = "Optional Lua filter script (redis-shake v3 contract).", Arity = ArgumentArity.ZeroOrOne };
        root.Arguments.Add(config);
        root.Arguments.Add(filter);
        root.SetAction(async (parse, cancellation) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetValue(config);
            if (file is null)
            {
                error.WriteLine("shake: no configuration file given; usage: shake <config.toml> [filter.lua] (see shake --help)");
                return ExitCodes.ConfigError;
            }
            // The configuration is loaded and checked first, so errors are reported before anything connects.
            var loaded = ConfigConsole.TryLoad(file, error);
            if (loaded is null) return ExitCodes.ConfigError;
            var script = parse.GetValue(filter);
            if (script is not null && !script.Exists)
            {
                error.WriteLine($"shake: filter script {script} does not exist");
                return ExitCodes.ConfigError;
            }
            var run = loaded.Config with { Filter = loaded.Config.Filter with { LuaScriptPath = script?.FullName } };
            var options = EngineOptionsFactory.TryCreate(run, out var unsupported);
            if (options is null)
            {
                error.WriteLine($"shake: {file.Name} is valid ({run.DescribeOrigin()}), but {unsupported}; nothing was copied");
                return ExitCodes.NotImplemented;
            }
            return await RunEngineAsync(options, run, parse.InvocationConfiguration.Output, error, cancellation);
        });
    }

    private static async Task<int> RunEngineAsync(EngineOptions options, ShakeConfig config, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var advanced = config.Advanced;
        var level = advanced.LogLevel switch
        {
            ShakeLogLevel.Debug => LogLevel.Debug,
            ShakeLogLevel.Warn => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        var logFile = advanced.LogFile.Length == 0 ? null : Path.IsPathRooted(advanced.LogFile) ? advanced.LogFile : Path.Combine(advanced.Dir, advanced.LogFile);
        // In a terminal a live view shows each engine's progress; elsewhere (pipes, files, containers) plain lines do.
        var view = ConsoleKind.IsInteractiveTerminal(output) ? new TerminalProgressView(output) : null;
        using var logger = new LineLogger(view?.LogWriter ?? output, logFile, level, statusLinesOnConsole: view is null);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // SIGINT/SIGTERM stop the engine cleanly (pipelines flushed, final ACK) instead of killing the process.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        logger.LogInformation("{CpuLimit}", CpuLimit.Apply(advanced.Ncpu));
        logger.LogInformation("shake {Version}: {Mode} to {Target}", VersionAction.Describe(), options.Mode == EngineMode.Restore ? $"restore of {options.RdbFilePath}" : config.Reader is SyncReaderOptions { Sentinel: { } named } ? $"sync from master '{named.MasterName}' of sentinel {string.Join(",", named.Addresses)}" : $"sync from {options.Source?.Address}", options.Target.Address);
        try
        {
            // Entries RESTORE cannot serve (newer RDB version than the target's, payload over the bulk limit) become plain commands.
            using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
            options = options with { Converter = options.Converter ?? converter };
            // A cluster target is shared by every engine of the process: one connection per target master.
            await using var cluster = config.Writer.Target.Cluster
                ? await ClusterTarget.ConnectAsync(options.Target, new ClusterTargetOptions { PipelineLimit = options.PipelineCountLimit }, logger, stop.Token)
                : null;
            if (cluster is not null) options = options with { TargetFactory = cluster };
            if (options.Mode == EngineMode.Sync && config.Source is { Cluster: true })
            {
                ShardSelection.TryParse(advanced.Shards, out var selection);
                var shards = new ClusterSourceSync(options, selection, logger);
                await using var shardStatus = await StatusEndpoint.StartAsync(advanced, "sync", shards.Snapshot, logger, stop.Token);
                var summaries = await ShowWhileAsync(view, () => [.. shards.Engines.Select(e => new WatchedEngine($"shard {e.Shard}", e.Engine.Statistics))], () => shards.RunAsync(stop.Token));
                logger.LogInformation("all shards finished: {Count} engines", summaries.Count);
                var failed = summaries.Select(s => FailedKeysVerdict.Describe(options, s)).OfType<string>().ToList();
                if (failed.Count == 0) return ExitCodes.Success;
                foreach (var shard in failed)
                {
                    logger.LogError("{FailedKeys}", shard);
                    error.WriteLine($"shake: error: {shard}");
                }
                return ExitCodes.Failed;
            }
            // A sync is supervised: a dropped or stalled link is noticed, logged and followed by a partial or full resync;
            // with a sentinel-managed source the sentinels name the master again after each loss.
            var sentinelSync = options.Mode == EngineMode.Sync && config.Reader is SyncReaderOptions { Sentinel: { } sentinel }
                ? new SentinelSourceSync(options, new SentinelMasterLocator(sentinel), logger)
                : null;
            var supervisor = sentinelSync is null && options.Mode == EngineMode.Sync ? new EngineSupervisor(options, logger) : null;
            var engine = sentinelSync is null && supervisor is null ? new SyncEngine(options, logger) : null;
            SyncEngine? Current() => engine ?? supervisor?.Current ?? sentinelSync?.Engine;
            await using var status = await StatusEndpoint.StartAsync(advanced, options.Mode == EngineMode.Restore ? "restore" : "sync",
                () => Current() is { } current ? [current.Snapshot()] : [], logger, stop.Token);
            var summary = await ShowWhileAsync(view, () => Current() is { } current ? [new WatchedEngine("", current.Statistics)] : [],
                () => sentinelSync is not null ? sentinelSync.RunAsync(stop.Token)
                    : supervisor is not null ? supervisor.RunAsync(stop.Token)
                    : engine!.RunAsync(stop.Token));
            if (options.Mode == EngineMode.Restore) output.WriteLine($"shake: restore finished: {summary}");
            if (FailedKeysVerdict.Describe(options, summary) is { } failedKeys)
            {
                logger.LogError("{FailedKeys}", failedKeys);
                error.WriteLine($"shake: error: {failedKeys}");
                return ExitCodes.Failed;
            }
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            logger.LogError("fatal: {Error}", e.Message);
            error.WriteLine($"shake: error: {e.Message}");
            return ExitCodes.Failed;
        }

        static Task<T> ShowWhileAsync<T>(TerminalProgressView? view, Func<IReadOnlyList<WatchedEngine>> engines, Func<Task<T>> run) =>
            view is null ? run() : view.ShowWhileAsync(engines, run);

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            logger.LogInformation("received {Signal}; stopping", context.Signal);
            stop.Cancel();
        }
    }
}
