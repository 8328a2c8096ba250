using Shake.Core.Filters;
using Shake.Core.Configuration;
using Shake.Core.Writers;
using Shake.Resp.Connections;

namespace Shake.Core.Engine;

/// <summary>Everything a <see cref="SyncEngine"/> needs; the Host maps <c>sync.toml</c> onto it, other programs build it directly.</summary>
public sealed record EngineOptions
{
    /// <summary>Sync from a live source, or restore an RDB file.</summary>
    public EngineMode Mode { get; init; } = EngineMode.Sync;

    /// <summary>The source (sync mode).</summary>
    public RedisConnectionOptions? Source { get; init; }

    /// <summary>The target (a standalone server).</summary>
    public required RedisConnectionOptions Target { get; init; }

    /// <summary>The RDB file to restore (restore mode).</summary>
    public string? RdbFilePath { get; init; }

    /// <summary>What to do with keys that already exist on the target (<c>rdb_restore_command_behavior</c>).</summary>
    public RestoreBehavior RestoreBehavior { get; init; } = RestoreBehavior.Panic;

    /// <summary>Which commands RDB entries are written as (<c>[advanced] restore_form</c>).</summary>
    public RestoreForm RestoreForm { get; init; } = RestoreForm.Auto;

    /// <summary>FLUSHALL the target before the full sync (<c>empty_db_before_sync</c>).</summary>
    public bool EmptyDbBeforeSync { get; init; }

    /// <summary>Accept a diskless (<c>$EOF:</c>) transfer when the source offers it (<c>try_diskless</c>).</summary>
    public bool TryDiskless { get; init; } = true;

    /// <summary>Apply the RDB's keys (<c>sync_rdb</c>); when false the snapshot is read and discarded.</summary>
    public bool SyncRdb { get; init; } = true;

    /// <summary>Forward the command stream after the snapshot (<c>sync_aof</c>); when false the engine stops after the RDB.</summary>
    public bool SyncAof { get; init; } = true;

    /// <summary>Replicate from a replica of the source when it has one (<c>prefer_replica</c>).</summary>
    public bool PreferReplica { get; init; }

    /// <summary>Most requests in flight to the target (<c>pipeline_count_limit</c>).</summary>
    public int PipelineCountLimit { get; init; } = 1024;

    /// <summary>Largest RESTORE payload (<c>target_redis_proto_max_bulk_len</c>); null: ask the target.</summary>
    public long? TargetProtoMaxBulkLength { get; init; }

    /// <summary>RDB version the target accepts; null: derived from its version.</summary>
    public int? TargetRdbVersion { get; init; }

    /// <summary>Turns entries RESTORE cannot serve into commands; null reports them as failed keys.</summary>
    public IEntryConverter? Converter { get; init; }

    /// <summary>The <c>[filter]</c> lists and the v3 Lua filter script (<see cref="Filters.FilterPipeline"/>); empty: everything passes.</summary>
    public FilterOptions Filter { get; init; } = new();

    /// <summary>
    /// Filters written in C# by an embedding program, run after the <see cref="Filter"/> lists and script (and before a
    /// <c>[filter] function</c>) on every RDB entry and replicated command. The engine does not dispose them.
    /// </summary>
    public IReadOnlyList<IShakeFilter> CustomFilters { get; init; } = [];

    /// <summary>
    /// Slots whose keys are deleted from the target before a full sync (checkpoint keys kept): the slots of this
    /// engine's source shard when <c>empty_db_before_sync</c> asks for an empty start and a FLUSHALL would also take the
    /// keys of the other shards (a shard synced in full again, or a process serving only some shards). Null: none.
    /// </summary>
    public IReadOnlyList<Cluster.SlotRange>? EmptySlotsBeforeFullSync { get; init; }

    /// <summary>Source database → target database; databases not listed keep their number.</summary>
    public IReadOnlyDictionary<int, int>? DatabaseMap { get; init; }

    /// <summary>Working directory (<c>advanced.dir</c>); the stream spool lives in <c>spool/</c> under it.</summary>
    public string Directory { get; init; } = "data";

    /// <summary>Bytes of source stream held in memory before spooling to disk.</summary>
    public long SpoolMemoryLimitBytes { get; init; } = 16L << 20;

    /// <summary>Bytes of source stream that may wait on disk; past it the engine stops with an error.</summary>
    public long SpoolDiskLimitBytes { get; init; } = 16L << 30;

    /// <summary>How the spool files store the stream (<c>spool_compression</c>); the disk limit counts the files' bytes.</summary>
    public Spool.SpoolCompression SpoolCompression { get; init; } = Spool.SpoolCompression.None;

    /// <summary>Default of <see cref="LargeValueThresholdBytes"/>: 32 MB.</summary>
    public const long DefaultLargeValueThresholdBytes = 32L << 20;

    /// <summary>
    /// Most bytes of one collection value held in memory during a full sync (<c>large_value_threshold_mb</c>): a larger
    /// list, set, sorted set, hash or stream is written element by element as it arrives, as batched commands under a
    /// staging key renamed into place at its end, instead of one RESTORE.
    /// </summary>
    public long LargeValueThresholdBytes { get; init; } = DefaultLargeValueThresholdBytes;

    /// <summary>How often a status line is logged (<c>log_interval</c>).</summary>
    public TimeSpan LogInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often <c>REPLCONF ACK</c> is sent.</summary>
    public TimeSpan AckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Silence from the source after which the link is declared dead (the source pings every 10 s by default).</summary>
    public TimeSpan SourceTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Port announced with <c>REPLCONF listening-port</c>.</summary>
    public int AnnouncedPort { get; init; }

    /// <summary>
    /// After a clean stop, save where the stream left off (<see cref="ResumePoint"/> under <see cref="Directory"/>) and
    /// let the next run continue with PSYNC instead of a full sync, when the source still has that part of its backlog.
    /// </summary>
    public bool ResumeAfterCleanStop { get; init; } = true;

    /// <summary>
    /// Opens this engine's writer; null writes to <see cref="Target"/> as a standalone server. A cluster target
    /// (<see cref="Cluster.ClusterTarget"/>) is shared by every engine of a process, so connections follow the target's
    /// masters, not the number of engines.
    /// </summary>
    public Writers.ITargetWriterFactory? TargetFactory { get; init; }

    /// <summary>
    /// Set for the engines of a cluster source: records keys that a slot migration moved into this engine's shard and
    /// drops the other shard's DEL of them (see <see cref="Cluster.MigrationGuard"/>), with <see cref="Shard"/> naming this engine.
    /// </summary>
    public Cluster.MigrationGuard? MigrationGuard { get; init; }

    /// <summary>
    /// Continue this replication id after this offset (a previous run's <see cref="SyncEngine.StoppedAt"/>) whatever the
    /// source address is now: a replica promoted by a failover answers <c>+CONTINUE</c> for its old master's history.
    /// The database must be the one selected at that offset (a cluster source has db 0 only).
    /// </summary>
    public ResumePoint? ContinueFrom { get; init; }

    /// <summary>
    /// The recent stream commands of this engine's source history, kept across the runs of one supervisor so that a
    /// divergence found after a failover can be told by command and key (see <see cref="Failover.AppliedCommandLog"/>);
    /// null records nothing.
    /// </summary>
    public Failover.AppliedCommandLog? RecentCommands { get; init; }

    /// <summary>
    /// Report an offset to the source (REPLCONF ACK, resume point) only once this many replicas of the target confirmed
    /// the writes up to it (<c>WAIT</c>; <c>[advanced] target_wait_replicas</c>); 0 does not wait.
    /// </summary>
    public int TargetWaitReplicas { get; init; }

    /// <summary>Longest a <c>WAIT</c> may block the target connection (<c>[advanced] target_wait_timeout_ms</c>).</summary>
    public TimeSpan TargetWaitTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Least time between two <c>WAIT</c>s on the target connection (each holds back the writes behind it for a round trip to the replicas).</summary>
    public TimeSpan TargetWaitInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Record every key of the snapshot with <see cref="MigrationGuard"/> (engines that start after the others).</summary>
    public bool RecordSnapshotKeys { get; init; }

    /// <summary>This engine's identity among the engines sharing <see cref="MigrationGuard"/> (unique in the process).</summary>
    public int Shard { get; init; }

    /// <summary>
    /// Restore mode: read the file once, validating each key just before it is written (<c>restore_single_pass</c>),
    /// instead of validating the whole file before the first write. Corrupt keys are then refused one by one.
    /// </summary>
    public bool RestoreSinglePass { get; init; }

    /// <summary>Sync mode: deep-validate each value of the source's snapshot before writing it (<c>validate_source_payloads</c>).</summary>
    public bool ValidateSourcePayloads { get; init; }

    /// <summary>
    /// The applied offset kept in the target (<c>[advanced] checkpoint_key</c>, <c>checkpoint_guard</c>): a restart after a
    /// crash continues from it when there is no clean-stop resume point. Disabled here by default (an empty prefix); the
    /// <c>shake</c> executable enables it unless the configuration empties <c>checkpoint_key</c>.
    /// </summary>
    public Checkpoints.CheckpointOptions Checkpoint { get; init; } = new() { Prefix = "" };

    /// <summary>Refuse a full sync into a target that holds keys (<c>[advanced] target_must_be_empty</c>).</summary>
    public bool TargetMustBeEmpty { get; init; }

    /// <summary>Count (and log) the target's keys before a full sync; off for the engines of a cluster source, whose supervisor counts once.</summary>
    public bool CountTargetKeys { get; init; } = true;

    /// <summary>How long a clean stop may take to flush the target before giving up.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
