using System.Buffers;
using Shake.Core.Configuration;
using Shake.Core.Replication;
using Shake.Rdb.Parsing;
using Shake.Resp.Protocol;

namespace Shake.Core.Writers;

/// <summary>
/// What an engine writes through: RDB entries and stream commands applied to a target (one standalone server, or a
/// cluster) in source order. Write methods are synchronous while there is room; when there is not, the write is queued
/// and <see cref="HasBacklog"/> turns true, and the caller must <see cref="WaitForBacklogAsync"/> before it releases the
/// buffers the queued writes may point into. A fatal error of the target side faults <see cref="Failure"/>.
/// One writer belongs to one engine; it is not safe for concurrent producers.
/// </summary>
public interface ITargetWriter : IAsyncDisposable
{
    /// <summary>What the target said about itself (for a cluster: its first master, with <see cref="TargetInfo.Databases"/> 1).</summary>
    TargetInfo Info { get; }

    /// <summary>Newest DUMP payload version sent as RESTORE; newer entries go to the converter.</summary>
    int RdbVersion { get; }

    /// <summary>The target's address (for a cluster: the configured seed node and the master count).</summary>
    string Endpoint { get; }

    /// <summary>What to do with keys that already exist on the target.</summary>
    RestoreBehavior Behavior { get; }

    /// <summary>Faults with the first fatal error of the target side; never completes successfully.</summary>
    Task Failure { get; }

    /// <summary>True when writes are queued behind a full window (see <see cref="WaitForBacklogAsync"/>).</summary>
    bool HasBacklog { get; }

    /// <summary>From now on stream-command replies advance <paramref name="offsets"/>, in source order.</summary>
    void TrackOffsets(ConfirmedOffset offsets);

    /// <summary>Sends one command and waits for its reply (cold paths: FLUSHALL, checks); a cluster sends it to every master.</summary>
    Task<RespValue> ExecuteAsync(string[] command, CancellationToken cancellation);

    /// <summary>
    /// Sends one command about the key <c>command[1]</c> in db 0 and waits for its reply (cold paths: checkpoints); a
    /// cluster sends it to the master of the key's slot.
    /// </summary>
    Task<RespValue> ExecuteForKeyAsync(string[] command, CancellationToken cancellation) => ExecuteAsync(command, cancellation);

    /// <summary>Sends one command to every node written to (a standalone target: the one server) and returns each reply.</summary>
    async Task<IReadOnlyList<RespValue>> ExecuteOnEachNodeAsync(string[] command, CancellationToken cancellation) => [await ExecuteAsync(command, cancellation)];

    /// <summary>
    /// Deletes from <paramref name="db"/> every key whose cluster slot is in <paramref name="slots"/>, except keys that
    /// start with <paramref name="keptPrefix"/> (none when it is empty), and returns how many it deleted. Cold path:
    /// before one shard of a cluster source is synced in full into a target that already holds that shard's keys.
    /// </summary>
    Task<long> DeleteSlotsAsync(IReadOnlyList<Cluster.SlotRange> slots, int db, string keptPrefix, CancellationToken cancellation);

    /// <summary>Writes one RDB entry into <paramref name="targetDb"/>.</summary>
    void WriteEntry(in RdbEntry entry, int targetDb);

    /// <summary>
    /// Starts writing an entry too large to hold in memory, element by element under a staging key (through an
    /// <see cref="IStreamingEntryConverter"/>); returns the visitor for its elements, or null (the key reported as failed)
    /// when it cannot be streamed. <see cref="EndLargeEntry"/> follows its last element.
    /// </summary>
    Shake.Rdb.Values.IRdbValueVisitor? BeginLargeEntry(in RdbEntry entry, int targetDb);

    /// <summary>Ends the entry begun by <see cref="BeginLargeEntry"/>: renames it into place.</summary>
    void EndLargeEntry();

    /// <summary>Forwards a command of the replication stream, encoded as the source sent it, into <paramref name="targetDb"/>.</summary>
    void WriteStreamCommand(in ReadOnlySequence<byte> encoded, int targetDb, long endOffset);

    /// <summary>
    /// Writes one stream command given as a span when that needs no waiting: returns false, with nothing written,
    /// otherwise (then use <see cref="WriteStreamCommand"/>). The span is copied before this returns.
    /// </summary>
    bool TryWriteStreamCommand(ReadOnlySpan<byte> encoded, int targetDb, long endOffset);

    /// <summary>
    /// Sends <paramref name="wait"/>'s <c>WAIT</c> behind every write so far (to every master of a cluster), covering the
    /// writes up to <paramref name="endOffset"/>; its answers go to <paramref name="wait"/>.
    /// </summary>
    void WriteReplicaWait(ReplicaWait wait, long endOffset);

    /// <summary>Loads a function library from the RDB (<c>FUNCTION LOAD REPLACE</c>).</summary>
    void LoadFunction(string code);

    /// <summary>Loads a Lua script from an old RDB's <c>lua</c> AUX field (<c>SCRIPT LOAD</c>).</summary>
    void LoadScript(string body);

    /// <summary>Waits until every queued write has been handed on, so the caller's buffers may be released.</summary>
    ValueTask WaitForBacklogAsync();

    /// <summary>Sends whatever is buffered.</summary>
    ValueTask FlushAsync(CancellationToken cancellation);

    /// <summary>Flushes and waits until the target has answered everything sent.</summary>
    Task DrainAsync(CancellationToken cancellation);

    /// <summary>
    /// Completes once everything handed to this writer so far has been answered by the target. Safe to call from another
    /// thread than the producer's; flushes nothing (the producer's own loop does).
    /// </summary>
    Task WhenWrittenConfirmedAsync(CancellationToken cancellation);

    /// <summary>Gives up: writes waiting for room are cancelled (after a fatal error elsewhere).</summary>
    void Abort();
}

/// <summary>Opens the writers engines write through: one per engine, sharing what the target kind allows.</summary>
public interface ITargetWriterFactory
{
    /// <summary>A description of the target for logs (no secrets).</summary>
    string Description { get; }

    /// <summary>Opens a writer for one engine; its replies are counted into <paramref name="statistics"/>.</summary>
    Task<ITargetWriter> CreateAsync(TargetWriterOptions options, Engine.EngineStatistics statistics, Microsoft.Extensions.Logging.ILogger logger, CancellationToken cancellation);
}
