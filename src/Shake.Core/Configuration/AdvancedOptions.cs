namespace Shake.Core.Configuration;

/// <summary>What to do when RESTORE meets an existing key ("Target key name is busy").</summary>
public enum RestoreBehavior
{
    /// <summary>Stop with an error.</summary>
    Panic,
    /// <summary>Replace the existing key (RESTORE ... REPLACE).</summary>
    Rewrite,
    /// <summary>Keep the existing key and count the skipped one (spelt <c>skip</c> in v4 files and <c>ignore</c> in v3 comments).</summary>
    Skip,
}

/// <summary>Which commands RDB entries are written as (Shake's <c>[advanced] restore_form</c>).</summary>
public enum RestoreForm
{
    /// <summary>
    /// The cheapest form for the target that gives the same data: strings as SET or MSET/MSETNX batches, the rest as
    /// RESTORE. Entries with LRU/LFU hints stay RESTOREs.
    /// </summary>
    Auto,
    /// <summary>Every entry as RESTORE (redis-shake's way).</summary>
    Restore,
}

/// <summary>How much is logged.</summary>
public enum ShakeLogLevel
{
    /// <summary>Everything, including per-connection details.</summary>
    Debug,
    /// <summary>Progress and notable events.</summary>
    Info,
    /// <summary>Only problems.</summary>
    Warn,
}

/// <summary>Run-time tuning (<c>[advanced]</c>); defaults are redis-shake's.</summary>
public sealed record AdvancedOptions
{
    /// <summary>Working directory for state, logs and spooled data.</summary>
    public string Dir { get; init; } = "data";

    /// <summary>redis-shake's GOMAXPROCS: how many CPUs the process may run on (it is pinned to that many); 0 means all.</summary>
    public int Ncpu { get; init; }

    /// <summary>
    /// Which shards of a cluster source this process serves: empty for all, or <c>"i/n"</c> (Shake's own key) for every
    /// shard whose index in the shard list sorted by lowest slot is i modulo n, so n processes cover each shard once.
    /// </summary>
    public string Shards { get; init; } = "";

    /// <summary>
    /// redis-shake's Go profiler port. Shake serves the .NET runtime's figures there instead (<c>GET /debug/runtime</c>:
    /// GC, heap, thread pool, allocation rate; the status document and metrics too); 0 disables it.
    /// </summary>
    public int PprofPort { get; init; }

    /// <summary>Port of the status/metrics HTTP endpoint (v4 <c>status_port</c>, v3 <c>metrics_port</c>); 0 disables it.</summary>
    public int StatusPort { get; init; }

    /// <summary>Interface the status and pprof ports listen on (Shake's own key, <c>status_address</c>): an IP address or <c>localhost</c>.</summary>
    public string StatusAddress { get; init; } = "127.0.0.1";

    /// <summary>Log file name, relative to <see cref="Dir"/>.</summary>
    public string LogFile { get; init; } = "shake.log";

    /// <summary>Log level.</summary>
    public ShakeLogLevel LogLevel { get; init; } = ShakeLogLevel.Info;

    /// <summary>Seconds between progress log lines.</summary>
    public int LogInterval { get; init; } = 5;

    /// <summary>What RESTORE does with existing keys.</summary>
    public RestoreBehavior RdbRestoreCommandBehavior { get; init; } = RestoreBehavior.Panic;

    /// <summary>Which commands RDB entries are written as (Shake's own key, <c>restore_form</c>).</summary>
    public RestoreForm RestoreForm { get; init; } = RestoreForm.Auto;

    /// <summary>Most commands in flight to the target at once.</summary>
    public int PipelineCountLimit { get; init; } = 1024;

    /// <summary>The target's <c>client-query-buffer-limit</c> in bytes.</summary>
    public long TargetRedisClientMaxQuerybufLen { get; init; } = 1L << 30;

    /// <summary>The target's <c>proto-max-bulk-len</c> in bytes: larger values are split into several commands.</summary>
    public long TargetRedisProtoMaxBulkLen { get; init; } = 512_000_000;

    /// <summary>ElastiCache's custom PSYNC commands (<c>address@command,...</c>; v3 <c>source.elasticache_psync</c>).</summary>
    public string AwsPsync { get; init; } = "";

    /// <summary>Flush the target before a full synchronisation.</summary>
    public bool EmptyDbBeforeSync { get; init; }

    /// <summary>
    /// Megabytes of the source's stream held in memory while the target is slower (Shake's <c>spool_memory_limit_mb</c>);
    /// past it the stream goes to files under <see cref="Dir"/>.
    /// </summary>
    public int SpoolMemoryLimitMb { get; init; } = 16;

    /// <summary>
    /// Megabytes of the source's stream that may wait in files (Shake's <c>spool_disk_limit_mb</c>); past it the sync
    /// stops with an error naming the limit rather than let the source drop the link.
    /// </summary>
    public long SpoolDiskLimitMb { get; init; } = 16 * 1024;

    /// <summary>
    /// How the spool files store the stream (Shake's <c>spool_compression</c>: <c>"none"</c> or <c>"lz4"</c>); LZ4 saves
    /// disk at the cost of compressing on the source socket's receive thread while the spool is on disk.
    /// </summary>
    public Spool.SpoolCompression SpoolCompression { get; init; } = Spool.SpoolCompression.None;

    /// <summary>
    /// Restore mode (Shake's <c>restore_single_pass</c>): read the RDB file once instead of twice. By default the whole
    /// file is validated before the first write, so a corrupt file writes nothing; in a single pass each key is
    /// validated just before it is written, a corrupt key is refused and named, and the run reports a partial restore.
    /// For files too big to read twice.
    /// </summary>
    public bool RestoreSinglePass { get; init; }

    /// <summary>
    /// Deep-validate every value of a live source's snapshot before it is written (Shake's
    /// <c>validate_source_payloads</c>); a corrupt value is counted as a failed key and named. Off by default: a
    /// source server is trusted (files and standard input are always validated).
    /// </summary>
    public bool ValidateSourcePayloads { get; init; }

    /// <summary>
    /// Megabytes of one list, set, sorted set, hash or stream held in memory during a full sync (Shake's
    /// <c>large_value_threshold_mb</c>); a larger one is written element by element as it arrives (batched commands
    /// under a staging key, renamed into place at its end) instead of one RESTORE.
    /// </summary>
    public int LargeValueThresholdMb { get; init; } = 32;

    /// <summary>
    /// Prefix of the checkpoint keys kept in the target (Shake's <c>checkpoint_key</c>, default <c>"shake-checkpoint"</c>):
    /// the applied offset, written with the commands it covers, from which a restart after a crash continues. The key of
    /// one source is <c>prefix:address</c> (<c>prefix:shard-N</c> per shard of a cluster source), listed in the hash named
    /// by the prefix. Keys starting with it are never copied from a source. Empty: no checkpoints.
    /// </summary>
    public string CheckpointKey { get; init; } = Checkpoints.CheckpointOptions.DefaultPrefix;

    /// <summary>
    /// Refuse to start while another Shake syncs the opposite direction (Shake's <c>checkpoint_guard</c>, default true),
    /// seen through its fresh checkpoint in this sync's source.
    /// </summary>
    public bool CheckpointGuard { get; init; } = true;

    /// <summary>Refuse a full sync into a target that already holds keys (Shake's <c>target_must_be_empty</c>, default false).</summary>
    public bool TargetMustBeEmpty { get; init; }

    /// <summary>
    /// Report an offset to the source (REPLCONF ACK, resume point) only once this many replicas of the target (of each
    /// target master) confirmed the writes up to it with <c>WAIT</c> (Shake's <c>target_wait_replicas</c>), so a target
    /// failover cannot lose writes Shake already confirmed; 0 (default) does not wait.
    /// </summary>
    public int TargetWaitReplicas { get; init; }

    /// <summary>Longest one <c>WAIT</c> may hold the target connection, in milliseconds (Shake's <c>target_wait_timeout_ms</c>).</summary>
    public int TargetWaitTimeoutMs { get; init; } = 100;
}
