using Shake.Core.Engine;

namespace Shake.Core.Status;

/// <summary>
/// One engine as the status endpoint shows it: where it stands in the source's history, what the target confirmed,
/// how far behind it is, and what it did with the keys. Immutable; taken by <see cref="SyncEngine.Snapshot"/>.
/// </summary>
/// <param name="Shard">Lowest slot of the source shard the engine follows (cluster source), else null.</param>
/// <param name="Phase">Where the engine is in its run.</param>
/// <param name="Source">Address the engine replicates from (empty in restore mode and before it connected).</param>
/// <param name="ReplicationId">The source's replication id from its PSYNC answer (empty before it).</param>
/// <param name="Offsets">Replication offsets.</param>
/// <param name="LagBytes">Stream bytes received from the source that the target has not confirmed yet.</param>
/// <param name="LagMilliseconds">
/// How long the oldest of those bytes has waited (0 when none waits); during a full sync, the time since the source
/// answered PSYNC, since the target holds none of the stream until the snapshot is applied.
/// </param>
/// <param name="Keys">What was done with the snapshot's keys.</param>
/// <param name="Commands">What was done with the stream's commands.</param>
/// <param name="SpoolMemoryBytes">Source bytes waiting in memory.</param>
/// <param name="SpoolDiskBytes">Source bytes waiting on disk.</param>
/// <param name="TargetNodes">The target servers written to (a cluster target: its masters).</param>
/// <param name="LastError">The error that ended the last run of this engine (a cluster source restarts it), else null.</param>
/// <param name="TakenAt">When this reading was taken.</param>
public sealed record EngineStatus(
    int? Shard,
    EnginePhase Phase,
    string Source,
    string ReplicationId,
    EngineOffsets Offsets,
    long LagBytes,
    long LagMilliseconds,
    KeyCounts Keys,
    CommandCounts Commands,
    long SpoolMemoryBytes,
    long SpoolDiskBytes,
    IReadOnlyList<string> TargetNodes,
    string? LastError,
    DateTimeOffset TakenAt);

/// <summary>Replication offsets of one engine (all in the source's offset space).</summary>
/// <param name="Source">The source's offset as its PSYNC answer gave it.</param>
/// <param name="Received">The end of the stream bytes received from the source (processed or waiting in the spool); during a full sync, the PSYNC offset.</param>
/// <param name="Sent">The end of the stream bytes processed: forwarded to the target, filtered, or needing nothing.</param>
/// <param name="Applied">Every byte up to here is applied on the target.</param>
/// <param name="Acknowledged">The offset of the last <c>REPLCONF ACK</c> sent to the source (0 until the snapshot is applied).</param>
public sealed record EngineOffsets(long Source, long Received, long Sent, long Applied, long Acknowledged);

/// <summary>
/// The snapshot's keys. <see cref="Applied"/> is every key the target holds from this run,
/// <see cref="Restored"/> + <see cref="Converted"/>; so applied + skipped + failed is every key the source sent
/// that the filters passed.
/// </summary>
/// <param name="Applied">Keys the target confirmed, in any form.</param>
/// <param name="Restored">Of those, keys written as RESTORE, SET or MSET.</param>
/// <param name="Converted">Of those, keys written as plain commands (a source RDB newer than the target's, a value over the bulk limit).</param>
/// <param name="Replaced">Keys written over an existing one (<c>rewrite</c>).</param>
/// <param name="SkippedExpired">Keys not sent because their expiry had passed.</param>
/// <param name="SkippedExisting">Keys left alone because they existed on the target (<c>skip</c>).</param>
/// <param name="Failed">Keys the target refused or no path could serve.</param>
public sealed record KeyCounts(long Applied, long Restored, long Converted, long Replaced, long SkippedExpired, long SkippedExisting, long Failed)
{
    /// <summary>Keys skipped for any reason.</summary>
    public long Skipped => SkippedExpired + SkippedExisting;
}

/// <summary>The stream's commands.</summary>
/// <param name="Forwarded">Commands the target confirmed.</param>
/// <param name="Failed">Commands the target answered with an error.</param>
/// <param name="Refused">Commands not sent to a cluster target (keys across slots, a db other than 0).</param>
/// <param name="Filtered">Commands and keys the filters dropped.</param>
public sealed record CommandCounts(long Forwarded, long Failed, long Refused, long Filtered);
