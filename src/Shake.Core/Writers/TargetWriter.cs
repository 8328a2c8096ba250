using Shake.Core.Configuration;
using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Shake.Core.Checkpoints;
using Shake.Core.Engine;
using Shake.Core.Replication;
using Shake.Rdb.Dump;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Writers;

/// <summary>
/// Applies RDB entries and stream commands to one standalone target over a pipelined connection, in order.
/// Every write method is synchronous as long as the pipeline window has room; when it has not, the write is queued
/// behind the pending ones and <see cref="HasBacklog"/> turns true: the caller must then <see cref="WaitForBacklogAsync"/>
/// before it releases the buffers the queued writes point into. Replies are counted into <see cref="EngineStatistics"/>;
/// a fatal reply (BUSYKEY under <c>panic</c>, a failed SELECT, a dropped connection) faults <see cref="Failure"/>.
/// </summary>
public sealed partial class TargetWriter : ITargetWriter, IReplyHandler<WriteTag>, IEntryCommandSink
{
    private readonly PipelinedClient<WriteTag> _client;
    private readonly TargetWriterOptions _options;
    private readonly EngineStatistics _statistics;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();
    private readonly ReplyAccounting _accounting;
    private Task? _backlog;
    private int _currentDb;
    private ConfirmedOffset? _offsets;
    private ReplicaWait? _replicaWait;
    // 1024 requests in flight with keys of up to 256 bytes fit; a longer key, or more, takes a pooled copy.
    private readonly KeyRing _keys = new(256 * 1024);
    private byte[]? _convertingKey;
    private int _convertingKeyLength;
    private int _convertingDb;
    private readonly EntryFormChooser _forms;
    private readonly StringBatch _batch = new();

    private TargetWriter(PipelinedClient<WriteTag>? client, RedisConnection connection, TargetWriterOptions options, EngineStatistics statistics, ILogger logger, TargetInfo info)
    {
        _options = options;
        _statistics = statistics;
        _logger = logger;
        Info = info;
        _currentDb = connection.Options.Database;
        _client = client ?? new PipelinedClient<WriteTag>(connection, options.PipelineLimit, this);
        _accounting = new ReplyAccounting(options, statistics, logger, Fail);
        RdbVersion = options.TargetRdbVersion ?? info.RdbVersion;
        ProtoMaxBulkLength = options.ProtoMaxBulkLength ?? info.ProtoMaxBulkLength;
        _forms = new EntryFormChooser(options.Form, options.Behavior, info.Version);
    }

    /// <summary>What the target said about itself at connect time.</summary>
    public TargetInfo Info { get; }

    /// <summary>Newest DUMP payload version sent as RESTORE; newer entries go to the converter.</summary>
    public int RdbVersion { get; }

    /// <summary>Largest RESTORE payload; larger entries go to the converter.</summary>
    public long ProtoMaxBulkLength { get; }

    /// <summary>The target's address.</summary>
    public string Endpoint => _client.Endpoint.ToString();

    /// <summary>Faults with the first fatal error of the target side; never completes successfully.</summary>
    public Task Failure => _failure.Task;

    /// <summary>True when writes are queued behind a full pipeline window (see <see cref="WaitForBacklogAsync"/>).</summary>
    public bool HasBacklog => _backlog is not null;

    /// <summary>Requests in flight.</summary>
    public int InFlight => _client.InFlight;

    /// <summary>Connects to the target, reads its version and limits, and starts the pipelined client.</summary>
    public static async Task<TargetWriter> ConnectAsync(RedisConnectionOptions target, TargetWriterOptions options, EngineStatistics statistics, ILogger logger, CancellationToken cancellation)
    {
        var connection = await RedisConnection.ConnectAsync(target, cancellation);
        try
        {
            var info = await TargetInfo.ReadAsync(connection, cancellation);
            // Read before the pipelined client takes the connection over.
            var commands = options.Checkpoint is null ? null : TargetCommandSet.FromCommandReply(await connection.ExecuteAsync(["COMMAND"], cancellation));
            var writer = new TargetWriter(null, connection, options, statistics, logger, info);
            writer.UseCheckpoint(commands);
            return writer;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>From now on stream-command replies advance <paramref name="offsets"/>.</summary>
    public void TrackOffsets(ConfirmedOffset offsets) => _offsets = offsets;

    /// <summary>Sends one command and waits for its reply (cold paths: FLUSHALL, checks).</summary>
    public async Task<RespValue> ExecuteAsync(string[] command, CancellationToken cancellation)
    {
        FlushBatch();
        await WaitForBacklogAsync();
        return await _client.SendAsync(new StringCommand(command), cancellation);
    }

    /// <inheritdoc />
    public async Task<long> DeleteSlotsAsync(IReadOnlyList<Cluster.SlotRange> slots, int db, string keptPrefix, CancellationToken cancellation)
    {
        SelectDb(db);
        await WaitForBacklogAsync();
        var sweep = new SlotSweep(slots, keptPrefix);
        await sweep.SweepScanAsync((command, ct) => _client.SendAsync(command, ct), Endpoint, cancellation);
        return sweep.Deleted;
    }

    /// <summary>Sends one command about a checkpoint key (db 0) and waits for its reply.</summary>
    public Task<RespValue> ExecuteForKeyAsync(string[] command, CancellationToken cancellation)
    {
        SelectDb(0);
        return ExecuteAsync(command, cancellation);
    }

    /// <summary>Selects <paramref name="db"/> on the target if it is not the current one.</summary>
    public void SelectDb(int db)
    {
        FlushBatch();
        Select(db);
    }

    private void Select(int db)
    {
        if (db == _currentDb) return;
        Enqueue(new WriteTag(WriteKind.Control, null, 0, 0, db), new StringCommand(["SELECT", db.ToString(CultureInfo.InvariantCulture)]));
        _currentDb = db;
    }

    /// <summary>
    /// Writes one RDB entry into <paramref name="targetDb"/> in the form <see cref="EntryFormChooser"/> picks: strings as
    /// SET or into an MSET/MSETNX batch (sent when it is full, before any other request, and at every flush), the rest
    /// as RESTORE when the target can take the payload, else through the converter, else the key is reported as failed.
    /// </summary>
    public void WriteEntry(in RdbEntry entry, int targetDb)
    {
        var payloadLength = DumpPayload.Length(entry.RawValue.Length);
        if (entry.RdbVersion <= RdbVersion && payloadLength <= ProtoMaxBulkLength)
        {
            // Only entries RESTORE could serve take other forms: the rest keep their converter path and its accounting.
            var form = _forms.Choose(entry, out var value);
            if (value.Length > ProtoMaxBulkLength) form = EntryForm.Restore;
            if (form == EntryForm.Batch)
            {
                if (!_batch.Accepts(targetDb, entry.Db)) FlushBatch();
                _batch.Add(entry.Key, value, targetDb, entry.Db);
                if (_batch.IsFull) FlushBatch();
                return;
            }
            SelectDb(targetDb);
            if (form == EntryForm.Set && TryWriteSet(entry, value)) return;
            WriteTag tag;
            if (_keys.TryCopy(entry.Key, out var offset, out var ringEnd))
                tag = new WriteTag(WriteKind.Restore, _keys.Buffer, offset, entry.Key.Length, ringEnd, 0, entry.Db);
            else
            {
                var pooled = ArrayPool<byte>.Shared.Rent(Math.Max(entry.Key.Length, 1));
                entry.Key.CopyTo(pooled);
                tag = new WriteTag(WriteKind.Restore, pooled, entry.Key.Length, 0, entry.Db);
            }
            Enqueue(tag, new RestoreCommand(tag.Key.AsMemory(tag.KeyOffset, tag.KeyLength), entry.Type, entry.RawValue, (ushort)entry.RdbVersion,
                entry.ExpireAtMs, _options.Behavior == RestoreBehavior.Rewrite, entry.IdleSeconds, entry.Frequency));
            return;
        }
        SelectDb(targetDb);
        var reason = entry.RdbVersion > RdbVersion
            ? $"its RDB version {entry.RdbVersion} is newer than the target's {RdbVersion}"
            : $"its payload of {payloadLength} bytes exceeds the target's proto-max-bulk-len {ProtoMaxBulkLength}";
        if (_options.Converter is null)
        {
            _statistics.KeyFailed(entry.Key, entry.Db, $"cannot be restored: {reason}, and no conversion to plain commands is available");
            _logger.LogError("key {Key} (db {Db}) cannot be restored: {Reason}, and no conversion to plain commands is available", KeyText.Format(entry.Key), entry.Db, reason);
            return;
        }
        _convertingKey = ArrayPool<byte>.Shared.Rent(Math.Max(entry.Key.Length, 1));
        _convertingKeyLength = entry.Key.Length;
        _convertingDb = entry.Db;
        entry.Key.CopyTo(_convertingKey);
        try
        {
            _options.Converter.Convert(entry, this);
        }
        catch (EntryConversionException e)
        {
            _statistics.KeyFailed(entry.Key, entry.Db, $"cannot be restored ({reason}) nor converted: {e.Message}");
            _logger.LogError("key {Key} (db {Db}) cannot be restored ({Reason}) nor converted: {Error}", KeyText.Format(entry.Key), entry.Db, reason, e.Message);
            if (_convertingKey is not null) ArrayPool<byte>.Shared.Return(_convertingKey);
            _convertingKey = null;
            return;
        }
        // The final command carries the key, so the key counts once, when the target confirmed all of it.
        if (_convertingKey is not null)
            Enqueue(new WriteTag(WriteKind.ConvertedEntry, _convertingKey, _convertingKeyLength, 0, _convertingDb), new StringCommand(["PING"]));
        _convertingKey = null;
    }

    /// <summary>
    /// Starts writing an entry too large to hold whole (its value is empty in <paramref name="entry"/>): returns the
    /// visitor for its elements, which become batched commands under a staging key, then <see cref="EndLargeEntry"/>
    /// renames it into place. Returns null, with the key reported as failed, when the converter cannot stream it; the
    /// caller then skips the value.
    /// </summary>
    public IRdbValueVisitor? BeginLargeEntry(in RdbEntry entry, int targetDb)
    {
        if (_options.Converter is not IStreamingEntryConverter converter)
        {
            _statistics.KeyFailed(entry.Key, entry.Db, "too large to hold in memory, and no conversion to plain commands is available");
            _logger.LogError("key {Key} (db {Db}) is too large to hold in memory and no conversion to plain commands is available; it is not copied", KeyText.Format(entry.Key), entry.Db);
            return null;
        }
        SelectDb(targetDb);
        _convertingKey = ArrayPool<byte>.Shared.Rent(Math.Max(entry.Key.Length, 1));
        _convertingKeyLength = entry.Key.Length;
        _convertingDb = entry.Db;
        entry.Key.CopyTo(_convertingKey);
        try
        {
            return converter.BeginStreaming(entry, this);
        }
        catch (EntryConversionException e)
        {
            _statistics.KeyFailed(entry.Key, entry.Db, $"too large to hold in memory and cannot be converted: {e.Message}");
            _logger.LogError("key {Key} (db {Db}) is too large to hold in memory and cannot be converted: {Error}", KeyText.Format(entry.Key), entry.Db, e.Message);
            ArrayPool<byte>.Shared.Return(_convertingKey);
            _convertingKey = null;
            return null;
        }
    }

    /// <summary>Ends the entry begun by <see cref="BeginLargeEntry"/> (after its last element).</summary>
    public void EndLargeEntry()
    {
        var converter = (IStreamingEntryConverter)_options.Converter!;
        try
        {
            converter.EndStreaming(this);
        }
        catch (EntryConversionException e)
        {
            _statistics.KeyFailed(_convertingKey is null ? default : _convertingKey.AsSpan(0, _convertingKeyLength), _convertingDb, $"too large to hold in memory and could not be converted: {e.Message}");
            _logger.LogError("key {Key} (db {Db}) is too large to hold in memory and could not be converted: {Error}",
                _convertingKey is null ? "?" : KeyText.Format(_convertingKey.AsSpan(0, _convertingKeyLength)), _convertingDb, e.Message);
            if (_convertingKey is not null) ArrayPool<byte>.Shared.Return(_convertingKey);
        }
        _convertingKey = null;
    }

    /// <summary>What to do with keys that already exist on the target.</summary>
    public RestoreBehavior Behavior => _options.Behavior;

    // A SET points into the parser's buffers or the chooser's scratch, so it goes out only if it can be written now;
    // otherwise the entry is a RESTORE, which may wait in the backlog.
    private bool TryWriteSet(in RdbEntry entry, ReadOnlySpan<byte> value)
    {
        if (_backlog is not null || !_keys.TryCopy(entry.Key, out var offset, out var ringEnd)) return false;
        // An unused ring copy is freed along with the next key released after it.
        var tag = new WriteTag(WriteKind.SetString, _keys.Buffer, offset, entry.Key.Length, ringEnd, 0, entry.Db);
        return _client.TryEnqueue(tag, new SetStringCommand(entry.Key, value, entry.ExpireAtMs, nx: _options.Behavior != RestoreBehavior.Rewrite));
    }

    // Sends the string batch, if any, into its database; every other request calls this first.
    private void FlushBatch()
    {
        if (_batch.Count == 0) return;
        var request = _batch.Take(nx: _forms.BatchIsNx == true);
        Select(request.TargetDb);
        Enqueue(new WriteTag(WriteKind.StringBatch, request.Buffer, request.Offset, request.Length, 0, request.Count, request.SourceDb),
            new PooledRequestCommand(request.Buffer, request.Offset, request.Length));
    }

    /// <inheritdoc />
    void IEntryCommandSink.Write<TCommand>(TCommand command) =>
        Enqueue(new WriteTag(WriteKind.ConvertedPart, null, 0, 0, _convertingDb), command);

    /// <inheritdoc />
    void IEntryCommandSink.WriteFinal<TCommand>(TCommand command)
    {
        if (_convertingKey is null) throw new InvalidOperationException("a converted entry has exactly one final command");
        Enqueue(new WriteTag(WriteKind.ConvertedEntry, _convertingKey, _convertingKeyLength, 0, _convertingDb), command);
        _convertingKey = null;
    }

    /// <summary>Forwards a command of the replication stream, encoded as the source sent it, into <paramref name="targetDb"/>.</summary>
    public void WriteStreamCommand(in ReadOnlySequence<byte> encoded, int targetDb, long endOffset)
    {
        if (Checkpointing)
        {
            FlushBatch();
            WriteQueued(encoded, targetDb, endOffset);
            return;
        }
        SelectDb(targetDb);
        _offsets?.Sent(endOffset);
        Enqueue(new WriteTag(WriteKind.StreamCommand, null, 0, endOffset), new EncodedCommand(encoded));
    }

    /// <summary>
    /// Writes one command of the replication stream, given as a span, when that needs no waiting and no SELECT: returns
    /// false, with nothing written, otherwise (then use <see cref="WriteStreamCommand"/>). The span is copied before
    /// this returns, so a command that lies in one segment of the received buffer is not sliced out of it.
    /// </summary>
    public bool TryWriteStreamCommand(ReadOnlySpan<byte> encoded, int targetDb, long endOffset)
    {
        FlushBatch();
        if (Checkpointing) return TryWriteQueued(encoded, targetDb, endOffset);
        if (_backlog is not null || targetDb != _currentDb) return false;
        if (!_client.TryEnqueue(new WriteTag(WriteKind.StreamCommand, null, 0, endOffset), new EncodedSpanCommand(encoded))) return false;
        // Counted after the write: the bytes stay in our buffer until the caller flushes, so no reply can come first.
        _offsets?.Sent(endOffset);
        return true;
    }

    /// <inheritdoc />
    public void WriteReplicaWait(ReplicaWait wait, long endOffset)
    {
        FlushBatch();
        _replicaWait = wait;
        wait.Begin(endOffset, 1);
        Enqueue(new WriteTag(WriteKind.ReplicaWait, null, 0, endOffset), new StringCommand(wait.Command));
    }

    /// <summary>Loads a function library from the RDB (<c>FUNCTION LOAD REPLACE</c>).</summary>
    public void LoadFunction(string code)
    {
        FlushBatch();
        Enqueue(new WriteTag(WriteKind.FunctionLoad, null, 0, 0), new StringCommand(["FUNCTION", "LOAD", "REPLACE", code]));
    }

    /// <summary>Loads a Lua script from an old RDB's <c>lua</c> AUX field (<c>SCRIPT LOAD</c>).</summary>
    public void LoadScript(string body)
    {
        FlushBatch();
        Enqueue(new WriteTag(WriteKind.ScriptLoad, null, 0, 0), new StringCommand(["SCRIPT", "LOAD", body]));
    }

    /// <summary>Waits until every queued write has been handed to the pipeline.</summary>
    public async ValueTask WaitForBacklogAsync()
    {
        var backlog = _backlog;
        if (backlog is null) return;
        await backlog;
        if (ReferenceEquals(_backlog, backlog)) _backlog = null;
    }

    /// <summary>Sends whatever is buffered.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellation)
    {
        FlushBatch();
        CommitOrBeat();
        await WaitForBacklogAsync();
        await _client.FlushAsync(cancellation);
    }

    /// <summary>Flushes and waits until the target has answered everything sent.</summary>
    public async Task DrainAsync(CancellationToken cancellation)
    {
        FlushBatch();
        if (Checkpointing && _checkpoint!.Position!.InTransaction) DiscardOpenTransaction();
        CommitOrBeat();
        await WaitForBacklogAsync();
        await _client.DrainAsync(cancellation);
    }

    private void Enqueue<TCommand>(WriteTag tag, TCommand command) where TCommand : IRespCommand
    {
        if (_backlog is null)
        {
            if (_client.TryEnqueue(tag, command)) return;
            var write = _client.EnqueueAsync(tag, command, _abort.Token);
            if (write.IsCompletedSuccessfully) return;
            if (write.IsCompleted)
            {
                write.GetAwaiter().GetResult();
                return;
            }
            _backlog = write.AsTask();
            return;
        }
        _backlog = EnqueueAfterAsync(_backlog, tag, command);
    }

    private async Task EnqueueAfterAsync<TCommand>(Task prior, WriteTag tag, TCommand command) where TCommand : IRespCommand
    {
        await prior;
        await _client.EnqueueAsync(tag, command, _abort.Token);
    }

    /// <inheritdoc />
    public void OnReply(in WriteTag tag, in RespReply reply)
    {
        if (tag.Kind >= WriteKind.QueuedCommand && OnTransactionReply(tag, reply)) return;
        _accounting.Account(tag.Kind, tag.Db, tag.EndOffset, tag.KeySpan, reply, Endpoint);
        if (tag.Kind == WriteKind.StreamCommand) _offsets?.Confirmed(tag.EndOffset);
        else if (tag.Kind == WriteKind.ReplicaWait) _replicaWait?.Answered(reply.Kind == RespKind.Integer ? reply.Head.Integer : -1);
        ReleaseKey(tag);
    }

    /// <inheritdoc />
    public void OnFailed(in WriteTag tag, Exception error)
    {
        Fail(error);
        ReleaseKey(tag);
    }

    private void ReleaseKey(in WriteTag tag)
    {
        if (tag.KeyRingEnd > 0) _keys.Release(tag.KeyRingEnd);
        else if (tag.Kind == WriteKind.StringBatch) _batch.Return(tag.Key!);
        else if (tag.Key is not null) ArrayPool<byte>.Shared.Return(tag.Key);
    }

    /// <inheritdoc />
    public async Task WhenWrittenConfirmedAsync(CancellationToken cancellation)
    {
        var backlog = Volatile.Read(ref _backlog);
        if (backlog is not null)
        {
            try { await backlog.WaitAsync(cancellation); } catch (Exception e) when (e is not OperationCanceledException) { return; }
        }
        // Commands queued in a transaction are applied only by its EXEC.
        await WaitForOpenTransactionAsync(cancellation);
        await _client.WhenConfirmedAsync(_client.Sent, cancellation);
    }

    /// <summary>Gives up: writes waiting for room in the window are cancelled (after a fatal error elsewhere).</summary>
    public void Abort() => _abort.Cancel();

    private void Fail(Exception error)
    {
        // Queued writes would wait for a window that never frees again.
        if (!_failure.TrySetException(error)) return;
        _abort.Cancel();
        ReleaseTransactionWaiters();
    }

    /// <summary>Stops the pipeline and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _abort.Cancel();
        _batch.Discard();
        // Observe the failure so an unobserved-task exception is not raised later.
        _ = _failure.Task.Exception;
        await _client.DisposeAsync();
        _abort.Dispose();
    }
}
