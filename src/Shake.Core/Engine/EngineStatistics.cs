namespace Shake.Core.Engine;

/// <summary>
/// Live counters of one engine, updated from its loops without locks; <see cref="Snapshot"/> reads a consistent-enough view
/// for status lines and tests.
/// </summary>
public sealed class EngineStatistics
{
    private int _phase;
    private long _rdbBytesReceived;
    private long _rdbBytesTotal = -1;
    private long _keysApplied;
    private long _keysSkippedExpired;
    private long _keysSkippedExisting;
    private long _keysReplaced;
    private long _keysConverted;
    private long _keysFailed;
    private long _commandsForwarded;
    private long _commandsFailed;
    private long _sourceOffset;
    private long _receivedOffset;
    private long _confirmedOffset;
    private long _spoolMemoryBytes;
    private long _spoolDiskBytes;
    private long _functionsLoaded;
    private long _scriptsLoaded;
    private long _commandsRefused;
    private long _commandsSplit;
    private long _redirections;
    private long _resends;
    private long _checkpointItemsSkipped;
    private long _migrationCommandsDropped;
    private long _acknowledgedOffset;
    private long _divergences;
    private long _divergentCommands;
    private long _replicatedOffset = -1;
    private Replication.ConfirmedOffset? _offsets;
    private Spool.ByteSpool? _spool;

    /// <summary>When the stream bytes not yet applied arrived (for the lag in milliseconds).</summary>
    internal Status.LagClock LagClock { get; } = new();

    /// <summary>The offset of the last <c>REPLCONF ACK</c> sent to the source.</summary>
    public long AcknowledgedOffset => Interlocked.Read(ref _acknowledgedOffset);

    /// <summary>True once the stream's applied offset is tracked (after the snapshot, or at once after <c>+CONTINUE</c>).</summary>
    public bool TracksStream => Volatile.Read(ref _offsets) is not null;

    internal void SetAcknowledgedOffset(long offset) => Interlocked.Exchange(ref _acknowledgedOffset, offset);

    /// <summary>The current phase.</summary>
    public EnginePhase Phase
    {
        get => (EnginePhase)Volatile.Read(ref _phase);
        set => Volatile.Write(ref _phase, (int)value);
    }

    internal void AddRdbBytes(long bytes) => Interlocked.Add(ref _rdbBytesReceived, bytes);
    internal void SetRdbTotal(long bytes) => Interlocked.Exchange(ref _rdbBytesTotal, bytes);
    internal void KeyApplied() => Interlocked.Increment(ref _keysApplied);
    internal void KeysApplied(int count, bool replaced)
    {
        Interlocked.Add(ref _keysApplied, count);
        if (replaced) Interlocked.Add(ref _keysReplaced, count);
    }
    internal void KeysFailed(int count) => Interlocked.Add(ref _keysFailed, count);
    internal void KeySkippedExpired() => Interlocked.Increment(ref _keysSkippedExpired);
    internal void KeySkippedExisting() => Interlocked.Increment(ref _keysSkippedExisting);
    internal void KeyReplaced() => Interlocked.Increment(ref _keysReplaced);
    internal void KeyConverted() => Interlocked.Increment(ref _keysConverted);
    internal void KeyFailed(ReadOnlySpan<byte> key, int db, string reason)
    {
        Interlocked.Increment(ref _keysFailed);
        FailedKeys.Add(key, db, reason);
    }

    /// <summary>The first keys that failed, by name.</summary>
    public FailedKeyLog FailedKeys { get; } = new();
    internal void CommandForwarded() => Interlocked.Increment(ref _commandsForwarded);
    internal void CommandFailed() => Interlocked.Increment(ref _commandsFailed);
    internal void FunctionLoaded() => Interlocked.Increment(ref _functionsLoaded);
    internal void ScriptLoaded() => Interlocked.Increment(ref _scriptsLoaded);
    internal void CommandRefused(int count) => Interlocked.Add(ref _commandsRefused, count);
    internal void CheckpointKeySkipped() => Interlocked.Increment(ref _checkpointItemsSkipped);
    internal void CheckpointCommandSkipped() => Interlocked.Increment(ref _checkpointItemsSkipped);
    internal void MigrationCommandDropped() => Interlocked.Increment(ref _migrationCommandsDropped);
    internal void Diverged(long commands)
    {
        Interlocked.Increment(ref _divergences);
        Interlocked.Add(ref _divergentCommands, commands);
    }
    internal void SetReplicatedOffset(long offset) => Interlocked.Exchange(ref _replicatedOffset, offset);
    internal void CommandSplit() => Interlocked.Increment(ref _commandsSplit);
    internal void Redirected() => Interlocked.Increment(ref _redirections);
    internal void Resent(int count) => Interlocked.Add(ref _resends, count);
    internal void SetSourceOffset(long offset) => Interlocked.Exchange(ref _sourceOffset, offset);
    internal void SetReceivedOffset(long offset) => Interlocked.Exchange(ref _receivedOffset, offset);
    internal void SetConfirmedOffset(long offset) => Interlocked.Exchange(ref _confirmedOffset, offset);
    internal void TrackSpool(Spool.ByteSpool? spool) => Volatile.Write(ref _spool, spool);
    internal void TrackOffsets(Replication.ConfirmedOffset offsets) => Volatile.Write(ref _offsets, offsets);
    internal void SetSpool(long memoryBytes, long diskBytes)
    {
        Interlocked.Exchange(ref _spoolMemoryBytes, memoryBytes);
        Interlocked.Exchange(ref _spoolDiskBytes, diskBytes);
        // Called for every read from the source: once the stream is tracked, what is spooled is stream bytes.
        if (Volatile.Read(ref _offsets) is { } offsets)
            LagClock.Record(Interlocked.Read(ref _receivedOffset) + memoryBytes + diskBytes, offsets.Value);
    }

    /// <summary>A copy of every counter now.</summary>
    public EngineSnapshot Snapshot() => new(
        Phase,
        Interlocked.Read(ref _rdbBytesReceived),
        Interlocked.Read(ref _rdbBytesTotal),
        Interlocked.Read(ref _keysApplied),
        Interlocked.Read(ref _keysSkippedExpired),
        Interlocked.Read(ref _keysSkippedExisting),
        Interlocked.Read(ref _keysReplaced),
        Interlocked.Read(ref _keysConverted),
        Interlocked.Read(ref _keysFailed),
        Interlocked.Read(ref _commandsForwarded),
        Interlocked.Read(ref _commandsFailed),
        Interlocked.Read(ref _functionsLoaded),
        Interlocked.Read(ref _scriptsLoaded),
        Interlocked.Read(ref _sourceOffset),
        Interlocked.Read(ref _receivedOffset),
        Volatile.Read(ref _offsets)?.Value ?? Interlocked.Read(ref _confirmedOffset),
        Volatile.Read(ref _spool)?.MemoryBytes ?? Interlocked.Read(ref _spoolMemoryBytes),
        Volatile.Read(ref _spool)?.DiskBytes ?? Interlocked.Read(ref _spoolDiskBytes),
        DateTimeOffset.UtcNow)
    {
        CommandsRefused = Interlocked.Read(ref _commandsRefused),
        CommandsSplit = Interlocked.Read(ref _commandsSplit),
        Redirections = Interlocked.Read(ref _redirections),
        Resends = Interlocked.Read(ref _resends),
        MigrationCommandsDropped = Interlocked.Read(ref _migrationCommandsDropped),
        CheckpointItemsSkipped = Interlocked.Read(ref _checkpointItemsSkipped),
        Divergences = Interlocked.Read(ref _divergences),
        DivergentCommands = Interlocked.Read(ref _divergentCommands),
        ReplicatedOffset = Interlocked.Read(ref _replicatedOffset),
    };
}

/// <summary>One reading of <see cref="EngineStatistics"/>.</summary>
/// <param name="Phase">Current phase.</param>
/// <param name="RdbBytesReceived">RDB bytes received (or read from the file) so far.</param>
/// <param name="RdbBytesTotal">RDB size when known (disk transfer or file), else -1.</param>
/// <param name="KeysApplied">Keys the target confirmed written as RESTORE, SET or MSET (converted keys are counted in <paramref name="KeysConverted"/> only; <see cref="EngineSnapshot.KeysWritten"/> is both).</param>
/// <param name="KeysSkippedExpired">Keys not sent because their expiry had already passed.</param>
/// <param name="KeysSkippedExisting">Keys left alone because they existed on the target (skip/ignore behaviour).</param>
/// <param name="KeysReplaced">Keys sent with REPLACE (rewrite behaviour).</param>
/// <param name="KeysConverted">Keys sent as plain commands by an entry converter.</param>
/// <param name="KeysFailed">Keys the target refused or that no path could serve.</param>
/// <param name="CommandsForwarded">Stream commands the target confirmed.</param>
/// <param name="CommandsFailed">Stream commands the target answered with an error.</param>
/// <param name="FunctionsLoaded">Function libraries loaded on the target.</param>
/// <param name="ScriptsLoaded">Lua scripts loaded on the target.</param>
/// <param name="SourceOffset">The source's master offset as last reported (PSYNC reply or INFO), or the received offset.</param>
/// <param name="ReceivedOffset">Replication offset of the bytes received from the source.</param>
/// <param name="ConfirmedOffset">Replication offset acknowledged: every byte up to here is applied on the target.</param>
/// <param name="SpoolMemoryBytes">Bytes of the source stream waiting in memory.</param>
/// <param name="SpoolDiskBytes">Bytes of the source stream waiting on disk.</param>
/// <param name="TakenAt">When the snapshot was taken.</param>
public sealed record EngineSnapshot(
    EnginePhase Phase,
    long RdbBytesReceived,
    long RdbBytesTotal,
    long KeysApplied,
    long KeysSkippedExpired,
    long KeysSkippedExisting,
    long KeysReplaced,
    long KeysConverted,
    long KeysFailed,
    long CommandsForwarded,
    long CommandsFailed,
    long FunctionsLoaded,
    long ScriptsLoaded,
    long SourceOffset,
    long ReceivedOffset,
    long ConfirmedOffset,
    long SpoolMemoryBytes,
    long SpoolDiskBytes,
    DateTimeOffset TakenAt)
{
    /// <summary>Stream commands refused before reaching a cluster target: keys in several slots that cannot be split, a db other than 0.</summary>
    public long CommandsRefused { get; init; }

    /// <summary>Stream commands split into one command per slot for a cluster target (MSET, DEL, UNLINK, TOUCH).</summary>
    public long CommandsSplit { get; init; }

    /// <summary>Replies of a cluster target that sent a request elsewhere or asked to retry (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, LOADING).</summary>
    public long Redirections { get; init; }

    /// <summary>Requests sent again to a cluster target after a redirection or a lost connection.</summary>
    public long Resends { get; init; }

    /// <summary>Commands of a cluster source dropped because a slot migration had moved their key to another shard (the migration's own DEL, and older writes of the old owner arriving after the migrated copy).</summary>
    public long MigrationCommandsDropped { get; init; }

    /// <summary>Every key the target confirmed from the snapshot, in any form: <see cref="KeysApplied"/> (RESTORE, SET, MSET) plus <see cref="KeysConverted"/> (plain commands).</summary>
    public long KeysWritten => KeysApplied + KeysConverted;

    /// <summary>Checkpoint keys of other syncs found in the source (snapshot keys and stream commands), never copied.</summary>
    public long CheckpointItemsSkipped { get; init; }

    /// <summary>Source failovers after which the new master's history forked below what Shake had applied (see <see cref="Failover.FailoverCheck"/>).</summary>
    public long Divergences { get; init; }

    /// <summary>Commands Shake applied from an old master that the new master never had, summed over <see cref="Divergences"/> (as far as the command log reached back).</summary>
    public long DivergentCommands { get; init; }

    /// <summary>With <c>target_wait_replicas</c>: the offset up to which the target's replicas confirmed every write (WAIT); -1 when not waiting.</summary>
    public long ReplicatedOffset { get; init; } = -1;

    /// <summary>Bytes received from the source but not yet confirmed by the target.</summary>
    public long Lag => Math.Max(0, ReceivedOffset - ConfirmedOffset);
}
