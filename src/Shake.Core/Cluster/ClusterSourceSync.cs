using Microsoft.Extensions.Logging;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Filters;
using Shake.Core.Writers;

namespace Shake.Core.Cluster;

/// <summary>
/// Follows a whole cluster source in one process: one <see cref="SyncEngine"/> per source shard (its master, or with
/// <c>prefer_replica</c> one of its replicas), each with its own source connection, offsets, spool and status line,
/// all writing through one shared target. A shard is known by its lowest slot, so an engine that fails is restarted,
/// with backoff, against whichever node masters that shard then, without disturbing the others. Shards that appear or
/// disappear on the source are picked up while running. With <c>sync_aof = false</c> the run ends once every shard's
/// snapshot is applied.
/// </summary>
public sealed class ClusterSourceSync
{
    private EngineOptions _template;
    private readonly ShardSelection _selection;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ShardRun> _runs = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly MigrationGuard _migrations = new();
    private bool _started;
    private int _lastRunId;
    // empty_db_before_sync as configured (the template's copy is turned off once the target was emptied).
    private readonly bool _emptiesTarget;

    /// <summary>
    /// <paramref name="template"/> holds everything but the source address (its <see cref="EngineOptions.Source"/> is any
    /// node of the source cluster); <paramref name="selection"/> picks this process's shards.
    /// </summary>
    public ClusterSourceSync(EngineOptions template, ShardSelection selection, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(template.Source);
        _template = template;
        _emptiesTarget = template.EmptyDbBeforeSync;
        _selection = selection;
        _logger = logger;
    }

    /// <summary>The slot-migration guard shared by this process's engines.</summary>
    public MigrationGuard Migrations => _migrations;

    /// <summary>How often the source's shard list is read again.</summary>
    public TimeSpan TopologyInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay before an engine that failed is started again; it doubles up to <see cref="MaxRestartDelay"/>.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between restarts of a failing engine.</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The engines running now, by shard (lowest slot) — for status output and tests.</summary>
    public IReadOnlyList<(int Shard, string Source, SyncEngine Engine)> Engines
    {
        get
        {
            lock (_gate) return [.. _runs.Values.Where(r => r.Engine is not null).Select(r => (r.Shard, r.Source, r.Engine!))];
        }
    }

    /// <summary>
    /// A reading of every shard's engine for the status endpoint, by lowest slot: <see cref="Status.EngineStatus.Shard"/>
    /// is set, and <see cref="Status.EngineStatus.LastError"/> keeps the error of an earlier run of a restarted engine.
    /// </summary>
    public IReadOnlyList<Status.EngineStatus> Snapshot()
    {
        List<(ShardRun Run, SyncEngine Engine)> runs;
        lock (_gate) runs = [.. _runs.Values.Where(r => r.Engine is not null).Select(r => (r, r.Engine!))];
        return [.. runs.Select(r =>
        {
            var status = r.Engine.Snapshot();
            return status with { Shard = r.Run.Shard, LastError = status.LastError ?? r.Run.LastError };
        }).OrderBy(s => s.Shard)];
    }

    /// <summary>
    /// The shards a configuration serves, as (lowest slot, master address), read from the source cluster: what
    /// <c>shake validate</c> prints.
    /// </summary>
    public static async Task<IReadOnlyList<(int Shard, string Master, bool Selected)>> ListShardsAsync(Resp.Connections.RedisConnectionOptions source, ShardSelection selection, CancellationToken cancellation)
    {
        var topology = await ClusterTopology.DiscoverAsync(source, null, cancellation);
        return [.. topology.Masters.Select((m, i) => (m.LowestSlot, m.Address, selection.Includes(i)))];
    }

    /// <summary>
    /// Runs until cancelled (a clean stop of every engine), until every engine is done (<c>sync_aof = false</c>), or
    /// until an engine fails in a way a restart cannot mend (thrown, naming the shard).
    /// </summary>
    public async Task<IReadOnlyList<EngineSummary>> RunAsync(CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        await CheckTargetOnceAsync(cancellation);
        await EmptyTargetOnceAsync(cancellation);
        var topology = await ClusterTopology.DiscoverAsync(_template.Source!, null, cancellation);
        var fatal = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        StartShards(topology, stop.Token, fatal);
        lock (_gate)
        {
            if (_runs.Count == 0)
                throw new InvalidOperationException($"shards = \"{_selection}\" selects none of the {topology.Masters.Count} shards of the source cluster");
        }
        _started = true;
        var watching = WatchAsync(stop.Token, fatal);
        while (true)
        {
            Task[] tasks;
            lock (_gate) tasks = [.. _runs.Values.Select(r => r.Task)];
            var all = Task.WhenAll(tasks);
            var first = await Task.WhenAny(all, fatal.Task);
            if (first == fatal.Task)
            {
                stop.Cancel();
                await Quietly(all, watching);
                throw await fatal.Task;
            }
            // New shards may have started meanwhile: finished only when every run known now is done.
            lock (_gate)
                if (_runs.Values.All(r => r.Task.IsCompleted)) break;
        }
        stop.Cancel();
        await Quietly(watching);
        lock (_gate) return [.. _runs.Values.Where(r => r.Summary is not null).Select(r => r.Summary!)];
    }

    // The engines share one target: its keys are counted once here (an engine would count the keys of the others), and
    // only when no checkpoint of an earlier run is there (then some shards may continue instead of a full sync).
    private async Task CheckTargetOnceAsync(CancellationToken cancellation)
    {
        var template = _template;
        _template = _template with { CountTargetKeys = false };
        if (!template.CountTargetKeys) return;
        var factory = template.TargetFactory ?? new StandaloneTargetFactory(template.Target);
        await using var writer = await factory.CreateAsync(new TargetWriterOptions(), new EngineStatistics(), _logger, cancellation);
        if (template.Checkpoint.Enabled && (await writer.ExecuteForKeyAsync(["EXISTS", template.Checkpoint.Prefix], cancellation)) is { Integer: 1 })
        {
            _logger.LogInformation("the target {Target} holds checkpoints of an earlier run ({Index}): each shard continues from its own or syncs in full", writer.Endpoint, template.Checkpoint.Prefix);
            return;
        }
        var keys = await Checkpoints.TargetKeys.CountAsync(writer, [], cancellation);
        if (keys == 0) return;
        if (template.TargetMustBeEmpty && !template.EmptyDbBeforeSync)
            throw new Checkpoints.TargetNotEmptyException($"target_must_be_empty: the target {writer.Endpoint} holds {keys} keys before the full sync; empty it (or set empty_db_before_sync), or unset target_must_be_empty to write into it");
        _logger.LogWarning("the target {Target} holds {Keys} keys before the full sync{What}", writer.Endpoint, keys,
            !template.EmptyDbBeforeSync ? "" : _selection.Count > 1 ? "; empty_db_before_sync removes those in the slots of this process's shards" : "; empty_db_before_sync removes them");
    }

    // The engines share one target: emptying it is done once here, not by each engine when its snapshot arrives. A
    // process serving only some shards must leave the others' keys: each of its engines empties its own shard's slots.
    private async Task EmptyTargetOnceAsync(CancellationToken cancellation)
    {
        if (!_template.EmptyDbBeforeSync) return;
        if (_selection.Count > 1)
        {
            _logger.LogInformation("empty_db_before_sync with shards = \"{Selection}\": the target is not flushed; each shard's slots are emptied before its full sync", _selection);
            _template = _template with { EmptyDbBeforeSync = false };
            return;
        }
        var factory = _template.TargetFactory ?? new StandaloneTargetFactory(_template.Target);
        await using var writer = await factory.CreateAsync(new TargetWriterOptions(), new EngineStatistics(), _logger, cancellation);
        _logger.LogInformation("empty_db_before_sync: FLUSHALL on {Target}", writer.Endpoint);
        var reply = await writer.ExecuteAsync(["FLUSHALL"], cancellation);
        if (reply.IsError) throw new IOException($"{writer.Endpoint} refused FLUSHALL: {reply.AsString()}");
        _template = _template with { EmptyDbBeforeSync = false };
    }

    private void StartShards(ClusterTopology topology, CancellationToken cancellation, TaskCompletionSource<Exception> fatal)
    {
        lock (_gate)
        {
            for (var i = 0; i < topology.Masters.Count; i++)
            {
                var master = topology.Masters[i];
                if (!_selection.Includes(i) || _runs.ContainsKey(master.Id)) continue;
                var run = new ShardRun(master.LowestSlot, master.Id, master.Address) { Late = _started, Id = ++_lastRunId, Slots = master.Slots };
                _runs[master.Id] = run;
                _logger.LogInformation("source shard {Shard} (slots {Slots}): following {Master}", run.Shard, string.Join(",", master.Slots), master.Address);
                run.Task = SuperviseAsync(run, cancellation, fatal);
            }
        }
    }

    private async Task WatchAsync(CancellationToken cancellation, TaskCompletionSource<Exception> fatal)
    {
        using var timer = new PeriodicTimer(TopologyInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation))
            {
                ClusterTopology topology;
                try
                {
                    topology = await ClusterTopology.DiscoverAsync(_template.Source!, KnownAddresses(), cancellation);
                }
                catch (ClusterTopologyException e)
                {
                    _logger.LogWarning("could not read the source cluster's shards: {Error}", e.Message);
                    continue;
                }
                Follow(topology);
                if (_template.SyncAof) StartShards(topology, cancellation, fatal);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // A shard is its master node; when that node stops being a master, the master that took its place (its former
    // replica, or the new owner of its slots) continues the same shard, so a failover does not start a second engine.
    private void Follow(ClusterTopology topology)
    {
        lock (_gate)
        {
            foreach (var run in _runs.Values.Where(r => !r.Task.IsCompleted && !r.Stop.IsCancellationRequested).ToList())
            {
                var node = topology.NodeById(run.NodeId);
                if (node is { IsMaster: true } && node.Slots.Count > 0)
                {
                    run.Source = node.Address;
                    run.Slots = node.Slots;
                    continue;
                }
                var successor = (node?.MasterId is { } id ? topology.NodeById(id) : null) ?? topology.OwnerOf(Math.Max(0, run.Shard));
                if (successor is { IsMaster: true } && !_runs.ContainsKey(successor.Id))
                {
                    _logger.LogInformation("source shard {Shard}: {Old} is no longer its master; following {New}", run.Shard, run.Source, successor.Address);
                    _runs.Remove(run.NodeId);
                    run.NodeId = successor.Id;
                    run.Source = successor.Address;
                    run.Slots = successor.Slots;
                    _runs[successor.Id] = run;
                    continue;
                }
                if (successor is null || _runs.ContainsKey(successor.Id) && !ReferenceEquals(_runs[successor.Id], run))
                {
                    _logger.LogWarning("source shard {Shard} ({Source}) is no longer in the source cluster; stopping its engine", run.Shard, run.Source);
                    run.Stop.Cancel();
                }
            }
        }
    }

    private IEnumerable<string> KnownAddresses()
    {
        lock (_gate) return [.. _runs.Values.Select(r => r.Source)];
    }

    private async Task SuperviseAsync(ShardRun run, CancellationToken cancellation, TaskCompletionSource<Exception> fatal)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, run.Stop.Token);
        var delay = RestartDelay;
        var logger = new PrefixedLogger(_logger, $"[shard {run.Shard}] ");
        var attempt = 0;
        while (!linked.IsCancellationRequested)
        {
            attempt++;
            var options = _template with
            {
                Source = _template.Source! with { Address = run.Source },
                // Each shard keeps its own resume point and spool.
                Directory = Path.Combine(_template.Directory, "shards", run.DirectoryName),
                MigrationGuard = _migrations,
                Shard = run.Id,
                // The shard's checkpoint keeps its name through failovers of the source.
                Checkpoint = _template.Checkpoint with { SourceName = $"shard-{run.Shard}" },
                // Engines starting after the first ones may receive keys that migrated in before their snapshot.
                RecordSnapshotKeys = run.Late || attempt > 1,
                RecentCommands = run.Recent,
                EmptySlotsBeforeFullSync = EmptiesSlots(run, attempt) ? run.Slots : null,
            };
            // After the source stopped mid-stream, the next run asks whichever node masters the shard now to continue.
            if (run.StoppedAt is { } stoppedAt) options = options with { ContinueFrom = stoppedAt };
            var engine = new SyncEngine(options, logger);
            lock (_gate) run.Engine = engine;
            var started = DateTime.UtcNow;
            try
            {
                run.Summary = await engine.RunAsync(linked.Token);
                return;
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsFatal(e))
            {
                fatal.TrySetResult(new InvalidOperationException($"source shard {run.Shard} ({run.Source}): {e.Message}", e));
                return;
            }
            catch (Exception e)
            {
                if (DateTime.UtcNow - started > MaxRestartDelay) delay = RestartDelay;
                // Where the target stands in the shard's history (kept through runs that failed before doing anything).
                run.StoppedAt = engine.StoppedAt is { } point ? point with { Database = 0 } : null;
                run.LastError = e.Message;
                logger.LogError("the engine stopped: {Error}; restarting in {Delay}s", e.Message, delay.TotalSeconds);
            }
            try
            {
                await Task.Delay(delay, linked.Token);
                // The shard's master may have changed (a failover): ask the cluster before connecting again.
                Follow(await ClusterTopology.DiscoverAsync(_template.Source! with { Address = run.Source }, KnownAddresses().Append(_template.Source!.Address), linked.Token));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ClusterTopologyException e)
            {
                logger.LogWarning("could not read the source cluster's shards: {Error}", e.Message);
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
        }
    }

    // With empty_db_before_sync, a shard synced in full again (a restarted engine whose master could not continue) and
    // every shard of a process serving only some shards start from empty slots instead of a flushed target. A shard that
    // appeared while running is left as is: its slots held the keys of other shards until they migrated to it.
    private bool EmptiesSlots(ShardRun run, int attempt) => _emptiesTarget && (attempt > 1 || (_selection.Count > 1 && !run.Late));

    // Errors a restart repeats exactly (configuration, credentials, certificates, the spool's disk...).
    private static bool IsFatal(Exception e) => EngineFailures.IsFatal(e);

    private static async Task Quietly(params Task[] tasks)
    {
        foreach (var task in tasks)
        {
            try { await task; }
            catch (Exception) { /* the first error was already taken */ }
        }
    }

    private sealed class ShardRun(int shard, string nodeId, string source)
    {
        public int Shard { get; } = shard;

        public string NodeId { get; set; } = nodeId;

        public bool Late { get; init; }

        // The shard's slots as the source cluster last reported them.
        public IReadOnlyList<SlotRange> Slots { get; set; } = [];

        // Unique in the process (two shards may have had the same lowest slot at different times).
        public int Id { get; init; }

        // The node the shard was first followed on: its spool and resume point stay there through failovers.
        public string DirectoryName { get; } = nodeId.Length > 12 ? nodeId[..12] : nodeId;

        public string Source { get; set; } = source;

        public CancellationTokenSource Stop { get; } = new();

        public SyncEngine? Engine { get; set; }

        public ResumePoint? StoppedAt { get; set; }

        public string? LastError { get; set; }

        // The shard's recent commands, kept across its engines, to name what a failover's divergent history held.
        public Failover.AppliedCommandLog Recent { get; } = new();

        public EngineSummary? Summary { get; set; }

        public Task Task { get; set; } = Task.CompletedTask;
    }
}
