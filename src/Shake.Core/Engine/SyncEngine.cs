using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Shake.Core.Checkpoints;
using Shake.Core.Cluster;
using Shake.Core.Filters;
using Shake.Core.Replication;
using Shake.Core.Spool;
using Shake.Core.Writers;
using Shake.Resp.Connections;

namespace Shake.Core.Engine;

/// <summary>
/// One replication engine: source → target. In sync mode it replicates like a Redis replica (handshake, full sync
/// streamed into RESTOREs, then the command stream), always draining the source into a spool; in restore mode it sends
/// an RDB file and returns. Cancel the token to stop cleanly (pipelines flushed, final ACK sent).
/// </summary>
public sealed class SyncEngine
{
    private readonly EngineOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates an engine; nothing happens until <see cref="RunAsync"/>.</summary>
    public SyncEngine(EngineOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
    }

    /// <summary>The filters of this run (null when none is configured), set once <see cref="RunAsync"/> started.</summary>
    public FilterPipeline? Filters { get; private set; }

    /// <summary>
    /// Where the target stands in the source's history after this run failed: the replication id and the offset up to
    /// which every byte is applied (set when the source failed during the stream while the target was fine; the
    /// <see cref="EngineOptions.ContinueFrom"/> point while nothing else happened; null once a full sync began). A supervisor passes it to the
    /// next run as <see cref="EngineOptions.ContinueFrom"/>.
    /// </summary>
    public ResumePoint? StoppedAt { get; private set; }

    /// <summary>True once the source answered PSYNC in this run: both sides were reached and replication began.</summary>
    public bool Replicated { get; private set; }

    /// <summary>Live counters (read <see cref="EngineStatistics.Snapshot"/>).</summary>
    public EngineStatistics Statistics { get; } = new();

    private volatile string _source = "";
    private volatile string _replicationId = "";
    private volatile string? _lastError;
    private long _psyncAt;
    private Func<IReadOnlyList<string>> _targetNodes = () => [];

    /// <summary>The error that ended the last run, or null.</summary>
    public string? LastError => _lastError;

    /// <summary>A reading of this engine for the status endpoint: phase, source, offsets, lag, key counts, spool, target.</summary>
    public Status.EngineStatus Snapshot()
    {
        var now = Statistics.Snapshot();
        var tracked = Statistics.TracksStream;
        var received = tracked ? now.ReceivedOffset + now.SpoolMemoryBytes + now.SpoolDiskBytes : now.ReceivedOffset;
        var applied = now.ConfirmedOffset;
        var psyncAt = Interlocked.Read(ref _psyncAt);
        var lag = tracked ? Statistics.LagClock.Age(applied, received)
            : psyncAt != 0 && now.Phase is EnginePhase.WaitingForRdb or EnginePhase.FullSync ? TimeProvider.System.GetElapsedTime(psyncAt) : TimeSpan.Zero;
        return new Status.EngineStatus(
            null,
            now.Phase,
            _source,
            _replicationId,
            new Status.EngineOffsets(now.SourceOffset, received, now.ReceivedOffset, applied, Statistics.AcknowledgedOffset),
            tracked ? Math.Max(0, received - applied) : 0,
            (long)lag.TotalMilliseconds,
            new Status.KeyCounts(now.KeysWritten, now.KeysApplied, now.KeysConverted, now.KeysReplaced, now.KeysSkippedExpired, now.KeysSkippedExisting, now.KeysFailed),
            new Status.CommandCounts(now.CommandsForwarded, now.CommandsFailed, now.CommandsRefused + now.MigrationCommandsDropped, Filters?.Statistics.DroppedTotal ?? 0),
            now.SpoolMemoryBytes,
            now.SpoolDiskBytes,
            _targetNodes(),
            _lastError,
            now.TakenAt);
    }

    /// <summary>
    /// Runs until done (restore mode, or sync with <c>sync_aof = false</c>), until <paramref name="cancellation"/> is
    /// cancelled (a clean stop: returns normally), or until a fatal error (thrown, naming what failed).
    /// </summary>
    public async Task<EngineSummary> RunAsync(CancellationToken cancellation)
    {
        StoppedAt = _options.ContinueFrom;
        var started = DateTime.UtcNow;
        // Loaded before anything is connected, so a broken Lua script fails the run at once.
        using var filters = Filters = FilterPipeline.Create(_options.Filter, _logger, _options.CustomFilters);
        using var status = StartStatusLog(cancellation);
        try
        {
            if (_options.Mode == EngineMode.Restore) await RunRestoreAsync(cancellation);
            else await RunSyncAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException && RecordError(e))
        {
            throw;
        }
        finally
        {
            Statistics.Phase = EnginePhase.Stopped;
        }
        var summary = new EngineSummary(Statistics.Snapshot(), DateTime.UtcNow - started) { FirstFailedKeys = Statistics.FailedKeys.First };
        _logger.LogInformation("finished: {Summary}", summary);
        if (filters is not null) _logger.LogInformation("filters: {Filtered}", FilterSummary(filters.Statistics));
        return summary;
    }

    private bool RecordError(Exception e)
    {
        _lastError = e.Message;
        return false;
    }

    private static string FilterSummary(FilterStatistics statistics)
    {
        var text = statistics.Describe();
        return string.Create(CultureInfo.InvariantCulture, $"{statistics.PassedEntries} keys and {statistics.PassedCommands} commands passed{(text.Length > 0 ? ", " + text : ", nothing filtered")}");
    }

    private IDisposable StartStatusLog(CancellationToken cancellation)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _ = Task.Run(async () =>
        {
            EngineSnapshot? previous = null;
            using var timer = new PeriodicTimer(_options.LogInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    var now = Statistics.Snapshot();
                    var filtered = Filters?.Statistics.Describe();
                    _logger.LogInformation("{Status}", string.IsNullOrEmpty(filtered) ? StatusLine.Format(now, previous) : $"{StatusLine.Format(now, previous)}, {filtered}");
                    previous = now;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
        return new StopOnDispose(stop);
    }

    private async Task<ITargetWriter> ConnectTargetAsync(CancellationToken cancellation, StreamCheckpoint? checkpoint = null)
    {
        Statistics.Phase = EnginePhase.Starting;
        var factory = _options.TargetFactory ?? new StandaloneTargetFactory(_options.Target);
        var writer = await factory.CreateAsync(new TargetWriterOptions
        {
            Behavior = _options.RestoreBehavior,
            Form = _options.RestoreForm,
            PipelineLimit = _options.PipelineCountLimit,
            TargetRdbVersion = _options.TargetRdbVersion,
            ProtoMaxBulkLength = _options.TargetProtoMaxBulkLength,
            Converter = _options.Converter,
            Checkpoint = checkpoint,
        }, Statistics, _logger, cancellation);
        var endpoint = writer.Endpoint;
        _targetNodes = factory is ClusterTarget cluster ? () => cluster.MasterAddresses : () => [endpoint];
        _logger.LogInformation("target {Target}: {Name} {Version} (RDB {Rdb}), {Databases} databases", writer.Endpoint, writer.Info.ServerName, writer.Info.Version, writer.RdbVersion, writer.Info.Databases);
        return writer;
    }

    private async Task EmptyTargetAsync(ITargetWriter writer, CancellationToken cancellation)
    {
        if (!_options.EmptyDbBeforeSync) return;
        _logger.LogInformation("empty_db_before_sync: FLUSHALL on {Target}", writer.Endpoint);
        var reply = await writer.ExecuteAsync(["FLUSHALL"], cancellation);
        if (reply.IsError) throw new IOException($"{writer.Endpoint} refused FLUSHALL: {reply.AsString()}");
    }

    // A source shard's full sync into a target that may hold its keys of before (the shard synced in full again, or a
    // target not flushed because other processes serve other shards): its slots' keys are deleted first, so that keys
    // its master lost, or deleted while the link was down, do not stay on the target. Filters decide which keys were
    // synced at all, so with filters nothing is deleted.
    private async Task EmptySlotsAsync(ITargetWriter writer, CancellationToken cancellation)
    {
        if (_options.EmptySlotsBeforeFullSync is not { Count: > 0 } slots) return;
        var described = string.Join(",", slots);
        if (Filters is not null)
        {
            _logger.LogWarning("empty_db_before_sync: the keys of slots {Slots} on {Target} stay before this shard's full sync, since filters decide which keys were synced", described, writer.Endpoint);
            return;
        }
        // A slot moving between two masters right now is left: its keys that already reached the other master are on
        // the target too, and that master's engine does not send them again.
        var moving = (await MovingSlotsAsync(cancellation)).Where(slot => slots.Any(range => range.Contains(slot))).Order().ToList();
        if (moving.Count > 0)
        {
            slots = SlotRange.Without(slots, moving.ToHashSet());
            _logger.LogWarning("empty_db_before_sync: slots {Moving} of this shard are migrating, so their keys on {Target} stay", string.Join(",", moving), writer.Endpoint);
            described = string.Join(",", slots);
            if (slots.Count == 0) return;
        }
        // A cluster source has db 0 only; its keys went where the database map sends db 0.
        var db = _options.DatabaseMap is { } map && map.TryGetValue(0, out var mapped) ? mapped : 0;
        // Checkpoint keys belong to the syncs into this target (this one, or another source's) and are kept.
        var kept = _options.Checkpoint.Enabled ? _options.Checkpoint.Prefix : Checkpoints.CheckpointOptions.DefaultPrefix;
        var deleted = await writer.DeleteSlotsAsync(slots, db, kept, cancellation);
        _logger.LogInformation("empty_db_before_sync: deleted {Keys} keys of slots {Slots} from {Target} before this shard's full sync", deleted, described, writer.Endpoint);
    }

    // Asked of the shard's master itself (the only node that shows them), on a connection of its own: the engine's
    // source connection may be a replica's, and it carries the replication stream by now.
    private async Task<IReadOnlySet<int>> MovingSlotsAsync(CancellationToken cancellation)
    {
        try
        {
            await using var master = await RedisConnection.ConnectAsync(_options.Source!, cancellation);
            var nodes = (await master.ExecuteAsync(["CLUSTER", "NODES"], cancellation)).ThrowIfError(master.Endpoint.ToString(), "CLUSTER NODES");
            return ClusterNodesParser.MovingSlots(nodes.AsString() ?? "");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("empty_db_before_sync: could not ask {Source} which slots are migrating ({Error}); all of the shard's slots are emptied", _options.Source!.Address, e.Message);
            return new HashSet<int>();
        }
    }

    private async Task RunRestoreAsync(CancellationToken cancellation)
    {
        var path = _options.RdbFilePath ?? throw new ArgumentException("restore mode needs an RDB file path");
        if (!File.Exists(path)) throw new FileNotFoundException($"the RDB file '{path}' does not exist", path);
        if (!_options.RestoreSinglePass) await RestoreFileCheck.ValidateAsync(path, _logger, cancellation);
        await using var writer = await ConnectTargetAsync(cancellation);
        await EmptyTargetAsync(writer, cancellation);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        Statistics.SetRdbTotal(file.Length);
        Statistics.Phase = EnginePhase.FullSync;
        var input = PipeReader.Create(file, new StreamPipeReaderOptions(bufferSize: 1 << 16, leaveOpen: true));
        // A file is never trusted: each value is validated again right before it is written.
        using var applier = new RdbApplier(writer, Statistics, _logger, _options.DatabaseMap, filters: Filters, validation: ValueValidation.StopRun, largeValueThreshold: _options.LargeValueThresholdBytes);
        try
        {
            await applier.ApplyAsync(input, -1, path, cancellation);
            Statistics.Phase = EnginePhase.Stopping;
            await writer.DrainAsync(cancellation);
            if (writer.Failure.IsFaulted) await writer.Failure;
        }
        catch (InvalidDataException e)
        {
            throw await RestoreFileCheck.PartialAsync(e, writer, Statistics, cancellation);
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    private async Task CheckSourceDatabasesAsync(RedisConnection source, ITargetWriter writer, CancellationToken cancellation)
    {
        // A [filter] function names the database of each command it emits: no source database can be judged up front.
        if (Filters?.Function is not null) return;
        var keyspace = (await source.ExecuteAsync(["INFO", "keyspace"], cancellation)).AsString() ?? "";
        foreach (var field in InfoFields.Parse(keyspace).Keys)
        {
            if (!field.StartsWith("db", StringComparison.Ordinal) || !int.TryParse(field.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var db)) continue;
            if (Filters is not null && !Filters.MayPassDb(db)) continue;
            var target = _options.DatabaseMap is not null && _options.DatabaseMap.TryGetValue(db, out var mapped) ? mapped : db;
            if (target >= writer.Info.Databases && writer.Info.ClusterEnabled)
                throw new SourceDatabaseUnmappedException(db, $"the source has keys in db {db} but the target {writer.Endpoint} is a cluster, which has db 0 only; drop that db with a filter ([filter] allow_db/block_db in v4) or map it to 0 (a v3 filter script returning db 0), then start again");
            if (target >= writer.Info.Databases)
                throw new SourceDatabaseUnmappedException(db, $"the source has keys in db {db} but the target {writer.Endpoint} has only {writer.Info.Databases} databases; map the database with a filter or raise 'databases' on the target");
        }
    }

    private async Task<RedisConnection> ConnectSourceAsync(CancellationToken cancellation)
    {
        var options = _options.Source ?? throw new ArgumentException("sync mode needs a source");
        var source = await RedisConnection.ConnectAsync(options, cancellation);
        if (!_options.PreferReplica) return source;
        var replication = InfoFields.Parse((await source.ExecuteAsync(["INFO", "replication"], cancellation)).AsString() ?? "");
        if (replication.GetValueOrDefault("role") != "master" || !replication.TryGetValue("slave0", out var slave)) return source;
        // slave0:ip=...,port=...,state=online,...
        var parts = slave.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (parts.GetValueOrDefault("state") != "online" || !parts.TryGetValue("ip", out var ip) || !parts.TryGetValue("port", out var port)) return source;
        var replicaAddress = $"{ip}:{port}";
        _logger.LogInformation("prefer_replica: replicating from {Replica}, a replica of {Source}", replicaAddress, options.Address);
        await source.DisposeAsync();
        return await RedisConnection.ConnectAsync(options with { Address = replicaAddress }, cancellation);
    }

    private async Task RunSyncAsync(CancellationToken cancellation)
    {
        var checkpoint = _options.Checkpoint.Enabled
            ? new StreamCheckpoint(_options.Checkpoint.KeyFor(_options.Checkpoint.SourceName ?? _options.Source!.Address), _options.Checkpoint)
            : null;
        await using var writer = await ConnectTargetAsync(cancellation, checkpoint);
        using var migrations = _options.MigrationGuard?.Member(writer);
        await using var source = await ConnectSourceAsync(cancellation);
        var origin = source.Endpoint.ToString();
        _source = origin;
        await CheckSourceDatabasesAsync(source, writer, cancellation);
        await OppositeSyncGuard.CheckAsync(source, _options.Source!, writer, _options.Checkpoint, _logger, cancellation);
        var sourceRunId = checkpoint is null ? "" : InfoFields.Parse((await source.ExecuteAsync(["INFO", "server"], cancellation)).AsString() ?? "").GetValueOrDefault("run_id", "");
        var store = checkpoint is null ? null : new CheckpointStore(writer, checkpoint);
        var resume = _options.ResumeAfterCleanStop ? ResumePoint.Take(_options.Directory) : null;
        if (_options.ContinueFrom is { } previous)
        {
            // An earlier run of this engine in the same process stopped with everything it sent applied: ask the source
            // (maybe a new master after a failover, which keeps the old history as its replid2) to go on from there.
            _logger.LogInformation("asking {Source} to continue {ReplId} after offset {Offset}, where the previous run stopped", origin, previous.ReplicationId, previous.Offset);
            resume = previous with { Source = origin, Target = writer.Endpoint };
        }
        else if (resume is not null && (resume.Source != origin || resume.Target != writer.Endpoint))
        {
            _logger.LogInformation("ignoring the resume point of {Source} -> {Target}: this run syncs {Origin} -> {Endpoint}", resume.Source, resume.Target, origin, writer.Endpoint);
            resume = null;
        }
        else if (resume is not null)
        {
            _logger.LogInformation("resuming from the resume point the clean stop saved in {Directory}: {ReplId} offset {Offset}", _options.Directory, resume.ReplicationId, resume.Offset);
        }
        if (resume is null && store is not null) resume = await ResumeFromTargetAsync(store, checkpoint!, origin, writer.Endpoint, cancellation);

        Statistics.Phase = EnginePhase.Handshake;
        // After a failover: can this master continue, and does its history fork below what the target holds?
        var verdict = _options.ContinueFrom is { } asked
            ? await Failover.FailoverCheck.BeforePsyncAsync(source, asked, _options.RecentCommands, Statistics, _logger, cancellation)
            : null;
        if (verdict?.ContinueAfter is { } forkStart && resume is not null) resume = resume with { Offset = forkStart };
        var client = new ReplicationClient(source, new ReplicationClientOptions
        {
            ListeningPort = _options.AnnouncedPort,
            AcceptDiskless = _options.TryDiskless,
            ReplyTimeout = _options.SourceTimeout,
            ReplicationId = resume?.ReplicationId,
            Offset = resume?.Offset ?? -1,
        }, _logger);
        var psync = await client.HandshakeAsync(cancellation);
        if (psync.FullResync && resume is not null && _options.ContinueFrom is null)
            _logger.LogWarning("{Source} could not continue {ReplId} after offset {Offset} (it does not know that history, or the offset left its backlog): full sync", origin, resume.ReplicationId, resume.Offset);
        Replicated = true;
        if (psync.FullResync && _options.ContinueFrom is not null)
            _logger.LogWarning("{Source} could not continue {ReplId} after offset {Offset} ({Reason}): full sync", origin, _options.ContinueFrom.ReplicationId, _options.ContinueFrom.Offset,
                verdict is { CanContinue: false } ? verdict.Reason : "it does not know that history, or the offset is outside its backlog; its INFO replication did not say which");
        // From here on the target moves: only a stop with everything applied (below) gives a point to continue from.
        StoppedAt = null;
        _logger.LogInformation("{Source} answered PSYNC: {Kind} {ReplId} {Offset}", origin, psync.FullResync ? "FULLRESYNC" : "CONTINUE", psync.ReplicationId, psync.Offset);
        _replicationId = psync.ReplicationId;
        Interlocked.Exchange(ref _psyncAt, TimeProvider.System.GetTimestamp());
        Statistics.LagClock.Reset();
        Statistics.SetSourceOffset(psync.Offset);
        Statistics.SetReceivedOffset(psync.Offset);
        Statistics.SetConfirmedOffset(psync.Offset);

        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var spoolDirectory = Path.Combine(_options.Directory, "spool", Guid.NewGuid().ToString("N")[..12]);
        await using var spool = new ByteSpool(new SpoolOptions(spoolDirectory, _options.SpoolMemoryLimitBytes, _options.SpoolDiskLimitBytes, Compression: _options.SpoolCompression));
        Statistics.TrackSpool(spool);
        var pump = new SourcePump(source.Input, spool, Statistics, origin, _options.SourceTimeout);
        var acks = new AckLoop(client, _options.AckInterval, Statistics);
        // Without a snapshot (+CONTINUE) the stream starts at once and ACKs follow the confirmed offset from the start.
        if (psync.FullResync) pump.WatchTransfer(acks.Start);
        var state = new StreamState(psync, psync.FullResync ? 0 : resume!.Database) { Checkpoint = checkpoint, Store = store, SourceRunId = sourceRunId, Rewound = verdict?.ContinueAfter is not null };
        var pumping = pump.RunAsync(run.Token);
        var acking = acks.RunAsync(run.Token);
        var consuming = ConsumeAsync(spool.Reader, writer, state, acks, origin, run.Token);
        var failure = writer.Failure;

        var first = await Task.WhenAny(consuming, pumping, acking, failure);
        Exception? error = first.IsFaulted ? first.Exception!.GetBaseException() : null;
        if (error is null && first != consuming && !cancellation.IsCancellationRequested)
            error = new IOException($"the replication from {origin} stopped unexpectedly");
        if (error is not null && error is not OperationCanceledException)
        {
            run.Cancel();
            // A consumer waiting for room in a frozen target's window does not see the cancellation: give up its writes
            // at once when nothing can be continued anyway, else once the stop timeout passed.
            if (EngineFailures.IsFatal(error)) writer.Abort();
            else await AbortIfStuckAsync(consuming, writer);
            await Quietly(consuming, pumping, acking);
            // The source went away while the target is fine: let what was sent be answered, so that the point where the
            // stream stopped is exactly what the target applied, and a later run can continue from there.
            if (!writer.Failure.IsCompleted && state.Offsets is { } applied && state.Forwarder is { } forwarder)
            {
                using var drainTimeout = new CancellationTokenSource(_options.StopTimeout);
                try
                {
                    await writer.DrainAsync(drainTimeout.Token);
                    if (applied.InFlight == 0)
                        StoppedAt = new ResumePoint(origin, writer.Endpoint, state.Psync.ReplicationId, applied.Value, forwarder.Database);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                }
            }
            writer.Abort();
            throw error;
        }

        // A clean stop (cancellation, or done after the RDB with sync_aof = false): flush what was sent, ACK it, leave.
        Statistics.Phase = EnginePhase.Stopping;
        run.Cancel();
        await AbortIfStuckAsync(consuming, writer);
        await Quietly(consuming, pumping, acking);
        using var stopTimeout = new CancellationTokenSource(_options.StopTimeout);
        try
        {
            await writer.DrainAsync(stopTimeout.Token);
            if (state.Offsets is not null)
            {
                Statistics.SetConfirmedOffset(state.Offsets.Value);
                var ack = state.Replicas is { } replicas ? await ReplicatedAsync(writer, replicas, state.Offsets.Value, stopTimeout.Token) : state.Offsets.Value;
                await client.SendAckAsync(ack, stopTimeout.Token);
                Statistics.SetAcknowledgedOffset(ack);
            }
            SaveResumePoint(state, origin, writer.Endpoint);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            _logger.LogWarning("stopping: could not flush the target or send the final ACK: {Error}", e.Message);
        }
        if (writer.Failure.IsFaulted) await writer.Failure;
    }

    // A last WAIT behind everything written, so the final ACK and the resume point can cover it all.
    private static async Task<long> ReplicatedAsync(ITargetWriter writer, ReplicaWait replicas, long applied, CancellationToken cancellation)
    {
        await replicas.WhenIdleAsync().WaitAsync(cancellation);
        if (replicas.Value < applied)
        {
            writer.WriteReplicaWait(replicas, applied);
            await writer.DrainAsync(cancellation);
            await replicas.WhenIdleAsync().WaitAsync(cancellation);
        }
        return Math.Max(0, Math.Min(applied, replicas.Value));
    }

    private void SaveResumePoint(StreamState state, string origin, string target)
    {
        // Only a stream stopped between commands, with every processed byte applied, can be continued exactly.
        if (!_options.ResumeAfterCleanStop || state.Forwarder is not { } forwarder || state.Offsets is not { } offsets) return;
        if (forwarder.InTransaction || offsets.Value != forwarder.Offset || offsets.InFlight != 0) return;
        if (state.Replicas is { } replicas && replicas.Value < offsets.Value)
        {
            _logger.LogWarning("no resume point saved: the target's replicas hold the writes up to offset {Replicated} only, not {Applied} (target_wait_replicas = {Count}); the next run does a full sync", replicas.Value, offsets.Value, replicas.Replicas);
            return;
        }
        new ResumePoint(origin, target, state.Psync.ReplicationId, offsets.Value, forwarder.Database).Save(_options.Directory);
        _logger.LogInformation("saved the resume point: {ReplId} offset {Offset}; the next run continues from there if the source still has it", state.Psync.ReplicationId, offsets.Value);
    }

    private async Task ConsumeAsync(PipeReader input, ITargetWriter writer, StreamState state, AckLoop acks, string origin, CancellationToken cancellation)
    {
        var psync = state.Psync;
        if (psync.FullResync)
        {
            Statistics.Phase = EnginePhase.WaitingForRdb;
            await CheckTargetKeysAsync(writer, state.Store, cancellation);
            // The pump already drains the source, so emptying the target here does not hold the source up.
            await EmptyTargetAsync(writer, cancellation);
            await EmptySlotsAsync(writer, cancellation);
            // Until the snapshot is applied, the target's checkpoint must not be continued from.
            if (state.Store is not null) await state.Store.MarkFullSyncAsync(origin, state.SourceRunId, psync.ReplicationId, cancellation);
            var transfer = await ReplicationClient.ReadTransferHeaderAsync(input, origin, null, cancellation);
            _logger.LogInformation("{Source} sends the RDB {How}", origin, transfer.IsDiskless ? "diskless ($EOF)" : $"from disk ({transfer.Length} bytes)");
            if (transfer.Length >= 0) Statistics.SetRdbTotal(transfer.Length);
            Statistics.Phase = EnginePhase.FullSync;
            using var applier = new RdbApplier(writer, Statistics, _logger, _options.DatabaseMap, _options.SyncRdb, Filters,
                _options.ValidateSourcePayloads ? ValueValidation.RefuseKey : ValueValidation.Off, _options.LargeValueThresholdBytes)
            {
                SkipKeyPrefix = SkippedPrefix(),
                Migrations = _options.MigrationGuard is not null && _options.RecordSnapshotKeys ? new MigrationFilter(_options.MigrationGuard, _options.Shard) : null,
            };
            await applier.ApplyAsync(input, transfer.Length, origin, cancellation);
            if (transfer.EndMark is not null) await ExpectMarkAsync(input, transfer.EndMark, origin, cancellation);
            // Everything of the snapshot must be applied before the first ACK of its offset.
            await writer.DrainAsync(cancellation);
            if (writer.Failure.IsFaulted) await writer.Failure;
            var done = Statistics.Snapshot();
            _logger.LogInformation("full sync done: {Keys} keys applied ({Restored} restored or set, {Converted} converted to commands), {Expired} expired and {Existing} existing keys skipped, {Failed} failed",
                done.KeysWritten, done.KeysApplied, done.KeysConverted, done.KeysSkippedExpired, done.KeysSkippedExisting, done.KeysFailed);
        }
        else
        {
            _logger.LogInformation("continuing the stream at offset {Offset} in db {Db} without a full sync", psync.Offset, state.Database);
        }
        // The checkpoint names the stream's start; from here on each transaction moves it.
        if (state.Store is not null) await state.Store.WriteStreamStartAsync(origin, state.SourceRunId, psync.ReplicationId, psync.Offset, state.Database, cancellation);

        // The command log follows one history: it starts again with a new one, or where the stream picks up when it has none.
        if (_options.RecentCommands is { } recent && (psync.FullResync || recent.CoveredFrom == long.MaxValue || recent.CoveredFrom > psync.Offset || state.Rewound))
            recent.Begin(psync.Offset);
        var offsets = new ConfirmedOffset(psync.Offset);
        state.Offsets = offsets;
        writer.TrackOffsets(offsets);
        // target_wait_replicas: nothing counts as held by the replicas before the first WAIT says so.
        state.Replicas = _options.TargetWaitReplicas > 0
            ? new ReplicaWait(_options.TargetWaitReplicas, _options.TargetWaitTimeout, _options.TargetWaitInterval, -1, Statistics, _logger)
            : null;
        acks.Track(offsets, state.Replicas);
        Statistics.TrackOffsets(offsets);
        if (!_options.SyncAof) return;
        Statistics.Phase = EnginePhase.Incremental;
        state.Forwarder = new StreamForwarder(writer, offsets, Statistics, _options.DatabaseMap, psync.Offset, acks.RequestNow, state.Database, Filters)
        {
            Migrations = _options.MigrationGuard is null ? null : new MigrationFilter(_options.MigrationGuard, _options.Shard),
            SkipKeyPrefix = SkippedPrefix(),
            Recent = _options.RecentCommands,
            ReplicaWait = state.Replicas,
        };
        state.Checkpoint?.Start(state.Forwarder);
        await state.Forwarder.RunAsync(input, origin, cancellation);
    }

    // Checkpoint keys other syncs keep in this source are never copied (a sync in the opposite direction must not carry them back).
    private byte[]? SkippedPrefix() => _options.Checkpoint.Enabled ? _options.Checkpoint.PrefixBytes() : null;

    // No clean-stop resume point: the checkpoint the stream kept in the target says where the target stands.
    private async Task<ResumePoint?> ResumeFromTargetAsync(CheckpointStore store, StreamCheckpoint checkpoint, string origin, string target, CancellationToken cancellation)
    {
        var found = await store.ReadAsync(cancellation);
        if (found is { CanContinue: true })
        {
            var age = TimeSpan.FromMilliseconds(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - found.TimeMs));
            _logger.LogInformation("no resume point in {Directory}; resuming from the checkpoint {Key} in the target: {ReplId} offset {Offset} db {Db} (written {Age:0.#}s ago by {Writer})",
                _options.Directory, checkpoint.Key, found.ReplicationId, found.Offset, found.Database, age.TotalSeconds, found.Writer);
            return new ResumePoint(origin, target, found.ReplicationId, found.Offset, found.Database);
        }
        _logger.LogInformation(found is { State: CheckpointState.FullSync }
            ? "no resume point in {Directory}, and the checkpoint {Key} in the target says a full sync was interrupted: full sync"
            : "no resume point in {Directory} and no checkpoint {Key} in the target: full sync", _options.Directory, checkpoint.Key);
        return null;
    }

    // Before a full sync writes: say what the target already holds, and refuse when it must be empty.
    private async Task CheckTargetKeysAsync(ITargetWriter writer, CheckpointStore? store, CancellationToken cancellation)
    {
        if (!_options.CountTargetKeys) return;
        var keys = store is not null ? await store.CountKeysAsync(cancellation) : await TargetKeys.CountAsync(writer, [], cancellation);
        if (keys == 0) return;
        if (_options.TargetMustBeEmpty && !_options.EmptyDbBeforeSync)
            throw new TargetNotEmptyException($"target_must_be_empty: the target {writer.Endpoint} holds {keys} keys before the full sync; empty it (or set empty_db_before_sync), or unset target_must_be_empty to write into it");
        _logger.LogWarning("the target {Target} holds {Keys} keys before the full sync{What}", writer.Endpoint, keys,
            _options.EmptyDbBeforeSync ? "; empty_db_before_sync removes them" : $"; they stay, and the snapshot's keys meet them as rdb_restore_command_behavior = {_options.RestoreBehavior.ToString().ToLowerInvariant()} says");
    }

    private static async Task ExpectMarkAsync(PipeReader input, byte[] mark, string origin, CancellationToken cancellation)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellation);
            if (result.Buffer.Length >= mark.Length)
            {
                var found = result.Buffer.Slice(0, mark.Length);
                var ok = found.ToArray().AsSpan().SequenceEqual(mark);
                input.AdvanceTo(found.End);
                if (!ok) throw new InvalidDataException($"{origin}: the diskless RDB was not followed by its end mark");
                return;
            }
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted) throw new IOException($"{origin} closed the connection before the diskless RDB end mark");
        }
    }

    private async Task AbortIfStuckAsync(Task consuming, ITargetWriter writer)
    {
        if (await Task.WhenAny(consuming, Task.Delay(_options.StopTimeout, CancellationToken.None)) == consuming) return;
        _logger.LogWarning("the target {Target} took nothing for {Seconds:F0} s while stopping; its pending writes are abandoned", writer.Endpoint, _options.StopTimeout.TotalSeconds);
        writer.Abort();
    }

    private static async Task Quietly(params Task[] tasks)
    {
        foreach (var t in tasks)
        {
            try { await t; }
            catch (Exception) { /* the first error was already taken */ }
        }
    }

    // What the consumer learned, for the clean stop: the offsets acknowledged and where the stream stands.
    private sealed class StreamState(PsyncReply psync, int database)
    {
        public PsyncReply Psync { get; } = psync;

        public int Database { get; } = database;

        public ConfirmedOffset? Offsets { get; set; }

        public StreamForwarder? Forwarder { get; set; }

        public StreamCheckpoint? Checkpoint { get; init; }

        public CheckpointStore? Store { get; init; }

        public string SourceRunId { get; init; } = "";

        public ReplicaWait? Replicas { get; set; }

        // Continued at a fork below the applied offset (only harmless commands past it).
        public bool Rewound { get; init; }
    }

    private sealed class StopOnDispose(CancellationTokenSource source) : IDisposable
    {
        public void Dispose()
        {
            source.Cancel();
            source.Dispose();
        }
    }
}
