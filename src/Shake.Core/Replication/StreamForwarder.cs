using System.Buffers;
using System.IO.Pipelines;
using Shake.Core.Cluster;
using Shake.Core.Engine;
using Shake.Core.Filters;
using Shake.Core.Writers;
using Shake.Resp.Protocol;

namespace Shake.Core.Replication;

/// <summary>
/// Forwards the source's command stream to the target in order: data commands go through as the source encoded them
/// (EVAL/EVALSHA/FCALL included), MULTI…EXEC stay one block, SELECT is tracked (the writer selects the mapped database
/// when a command needs it), PING and REPLCONF are counted but not forwarded, and GETACK asks for an immediate ACK.
/// With a <see cref="FilterPipeline"/>, each data command is forwarded only when it passes, to the database it names.
/// Every byte advances the replication offset; <see cref="ConfirmedOffset"/> learns which of them the target applied.
/// </summary>
public sealed class StreamForwarder : Checkpoints.IStreamPosition
{
    private readonly ITargetWriter _writer;
    private readonly ConfirmedOffset _confirmed;
    private readonly EngineStatistics _statistics;
    private readonly IReadOnlyDictionary<int, int>? _databaseMap;
    private readonly Action _ackRequested;
    private readonly FilterPipeline? _filters;
    private readonly List<ReadOnlySequence<byte>> _arguments = new(16);
    private int _db;
    private bool _inMulti;
    private long _multiStart;

    /// <summary>
    /// Starts at replication offset <paramref name="offset"/> in source database <paramref name="database"/>;
    /// <paramref name="filters"/> decide per data command whether it is forwarded and to which database.
    /// </summary>
    public StreamForwarder(ITargetWriter writer, ConfirmedOffset confirmed, EngineStatistics statistics, IReadOnlyDictionary<int, int>? databaseMap, long offset, Action ackRequested, int database = 0, FilterPipeline? filters = null)
    {
        _filters = filters;
        _db = database;
        _writer = writer;
        _confirmed = confirmed;
        _statistics = statistics;
        _databaseMap = databaseMap;
        _ackRequested = ackRequested;
        Offset = offset;
    }

    /// <summary>For a cluster source: drops a slot migration's DELs and applies its RESTOREs with REPLACE.</summary>
    public Cluster.MigrationFilter? Migrations { get; init; }

    /// <summary>
    /// Commands whose first key starts with these bytes are not forwarded (checkpoint keys another Shake wrote into this
    /// source: a sync in the opposite direction must not carry them back); null forwards everything.
    /// </summary>
    public byte[]? SkipKeyPrefix { get; init; }

    /// <summary>Records each data command forwarded (for a failover's divergence report); null records nothing.</summary>
    public Failover.AppliedCommandLog? Recent { get; init; }

    /// <summary>With <c>target_wait_replicas</c>: sends a WAIT wave behind the writes when one is due; null sends none.</summary>
    public ReplicaWait? ReplicaWait { get; init; }

    /// <summary>Replication offset of the bytes processed so far.</summary>
    public long Offset { get; private set; }

    /// <summary>The source database the stream is in.</summary>
    public int Database => _db;

    /// <summary>True between MULTI and EXEC.</summary>
    public bool InTransaction => _inMulti;

    /// <summary>Reads and forwards commands until the reader completes (an error naming the source) or cancellation.</summary>
    public async Task RunAsync(PipeReader input, string origin, CancellationToken cancellation)
    {
        // A quiet stream would leave the last writes without a WAIT wave: wake the loop up when one is wanted.
        using var nudge = ReplicaWait is { } replicas
            ? new Timer(_ => { if (replicas.Wanted(Volatile.Read(ref _offsetForWave))) input.CancelPendingRead(); }, null, replicas.Interval, replicas.Interval)
            : null;
        while (true)
        {
            var result = await input.ReadAsync(cancellation);
            var consumed = Process(result.Buffer);
            // Forwarded commands may point into this buffer until they are in the pipeline; then send them, since
            // the pipeline only flushes by itself when its buffer fills.
            await _writer.WaitForBacklogAsync();
            // Inside MULTI nothing after its start counts as applied yet.
            if (ReplicaWait is { } wait)
            {
                var covered = _inMulti ? _multiStart : Offset;
                Volatile.Write(ref _offsetForWave, covered);
                if (wait.Due(covered, DateTime.UtcNow)) _writer.WriteReplicaWait(wait, covered);
            }
            await _writer.FlushAsync(cancellation);
            if (_pendingFence is { } pending)
            {
                _pendingFence = null;
                await pending.Fence.WaitAsync(cancellation);
                _fencedAt = pending.At;
            }
            // After an early stop the rest of the buffer is unexamined, so the next read must return at once.
            if (_stoppedEarly) input.AdvanceTo(consumed);
            else input.AdvanceTo(consumed, result.Buffer.End);
            _statistics.SetReceivedOffset(Offset);
            if (_writer.Failure.IsFaulted) await _writer.Failure;
            if (result.IsCompleted) throw new IOException($"{origin} closed the replication stream at offset {Offset}");
        }
    }

    private long _offsetForWave;
    private bool _stoppedEarly;
    private (Task Fence, long At)? _pendingFence;
    private long _fencedAt = -1;

    /// <summary>Processes every complete command in <paramref name="buffer"/>, stopping early when the writer backs up; returns where it stopped.</summary>
    public SequencePosition Process(in ReadOnlySequence<byte> buffer)
    {
        _stoppedEarly = false;
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            var start = reader.Position;
            long length;
            StreamCommandKind kind;
            // Empty unless the command was read on the span (then it holds the whole encoded command).
            ReadOnlySpan<byte> encoded = default;
            RespCommandFrame frame = default;
            // The common case: the whole command lies in the current segment and no filter needs its arguments. It is
            // decided on the span and copied from it, without slicing the sequence per argument.
            if (_filters is null && RespCommandFrame.TryScan(reader.UnreadSpan, out frame))
            {
                encoded = reader.UnreadSpan[..frame.Length];
                length = frame.Length;
                kind = StreamCommandClassifier.Classify(frame.Name(encoded), frame.FirstArgument(encoded));
                reader.Advance(length);
            }
            else
            {
                var startConsumed = reader.Consumed;
                if (!RespReader.TryReadCommand(ref reader, _arguments)) return reader.Position;
                length = reader.Consumed - startConsumed;
                kind = StreamCommandClassifier.Classify(_arguments[0], _arguments.Count > 1 ? _arguments[1] : default);
            }
            var selected = kind == StreamCommandKind.Select ? SelectedDb(frame, encoded) : 0;
            var commandStart = Offset;
            Offset += length;
            switch (kind)
            {
                case StreamCommandKind.Ping:
                case StreamCommandKind.ReplConf:
                case StreamCommandKind.SentinelHello:
                    if (!_inMulti) _confirmed.Skipped(Offset);
                    break;
                case StreamCommandKind.GetAck:
                    if (!_inMulti) _confirmed.Skipped(Offset);
                    _ackRequested();
                    break;
                case StreamCommandKind.Select:
                    _db = selected;
                    if (!_inMulti) _confirmed.Skipped(Offset);
                    break;
                case StreamCommandKind.Multi:
                    _inMulti = true;
                    _multiStart = commandStart;
                    Forward(encoded, buffer, start, length, commandStart, _db);
                    break;
                case StreamCommandKind.Exec:
                    _inMulti = false;
                    Forward(encoded, buffer, start, length, Offset, _db);
                    break;
                default:
                    var db = _db;
                    if (SkipKeyPrefix is not null && FirstArgumentStartsWith(encoded, frame, SkipKeyPrefix))
                    {
                        _statistics.CheckpointCommandSkipped();
                        if (!_inMulti) _confirmed.Skipped(Offset);
                        break;
                    }
                    if (_filters is not null && !_filters.TryPassCommand(_arguments, _db, out db))
                    {
                        // A dropped command is done with, like a PING (inside a block the EXEC confirms it).
                        if (!_inMulti) _confirmed.Skipped(Offset);
                        break;
                    }
                    if (Recent is not null)
                    {
                        if (!encoded.IsEmpty) Recent.Record(encoded, Offset, _db);
                        else Recent.Record(buffer.Slice(start, length), Offset, _db);
                    }
                    if (_filters?.Function is not null)
                    {
                        ForwardEmitted(_filters.Emitted, commandStart);
                        break;
                    }
                    if (Migrations is not null)
                    {
                        var name = encoded.IsEmpty ? _arguments[0].FirstSpan : frame.Name(encoded);
                        if (Migrations.Concerns(name))
                        {
                            if (MigrationFilter.IsMigratedCopy(name) && _fencedAt != commandStart)
                            {
                                // Record the key, then wait (outside Process) for the other engines' earlier writes;
                                // this command is read again afterwards.
                                var key = encoded.IsEmpty ? (_arguments.Count > 1 ? _arguments[1].ToArray() : []) : frame.FirstArgument(encoded).ToArray();
                                _pendingFence = (Migrations.RecordAndFenceAsync(key, _writer, CancellationToken.None), commandStart);
                                Offset = commandStart;
                                _stoppedEarly = true;
                                return start;
                            }
                            lock (Migrations.Gate) ForwardMigration(buffer.Slice(start, length), db);
                            break;
                        }
                        if (Migrations.Active)
                        {
                            // Decided and handed to the writer under the guard, so a migration of the key is wholly before or after.
                            lock (Migrations.Gate)
                            {
                                if (Migrations.IsStale(encoded.IsEmpty ? (_arguments.Count > 1 ? _arguments[1].FirstSpan : default) : frame.FirstArgument(encoded)))
                                {
                                    _statistics.MigrationCommandDropped();
                                    if (!_inMulti) _confirmed.Skipped(Offset);
                                }
                                else
                                {
                                    Forward(encoded, buffer, start, length, _inMulti ? _multiStart : Offset, db);
                                }
                            }
                            break;
                        }
                    }
                    // Inside a block nothing counts as applied before EXEC: tag the block's commands with where it began.
                    Forward(encoded, buffer, start, length, _inMulti ? _multiStart : Offset, db);
                    break;
            }
            if (_writer.HasBacklog || _writer.Failure.IsCompleted)
            {
                _stoppedEarly = true;
                return reader.Position;
            }
        }
    }

    private bool FirstArgumentStartsWith(ReadOnlySpan<byte> encoded, in RespCommandFrame frame, byte[] prefix)
    {
        if (!encoded.IsEmpty) return frame.ArgumentCount > 1 && frame.FirstArgument(encoded).StartsWith(prefix);
        if (_arguments.Count < 2 || _arguments[1].Length < prefix.Length) return false;
        var first = _arguments[1].Slice(0, prefix.Length);
        return first.IsSingleSegment ? first.FirstSpan.SequenceEqual(prefix) : first.ToArray().AsSpan().SequenceEqual(prefix);
    }

    // What a [filter] function emitted instead of the command: only the last reply confirms the command's bytes.
    private void ForwardEmitted(IReadOnlyList<Filters.Functions.EmittedCommand> emitted, long commandStart)
    {
        for (var i = 0; i < emitted.Count; i++)
        {
            var endOffset = _inMulti ? _multiStart : i == emitted.Count - 1 ? Offset : commandStart;
            var db = _databaseMap is null ? emitted[i].Db : _databaseMap.TryGetValue(emitted[i].Db, out var mapped) ? mapped : emitted[i].Db;
            _writer.WriteStreamCommand(new ReadOnlySequence<byte>(emitted[i].Encoded), db, endOffset);
        }
    }

    // DEL, UNLINK and RESTORE-ASKING of a cluster source: the migration filter decides what reaches the target.
    private void ForwardMigration(in ReadOnlySequence<byte> command, int sourceDb)
    {
        var reader = new SequenceReader<byte>(command);
        RespReader.TryReadCommand(ref reader, _arguments);
        var endOffset = _inMulti ? _multiStart : Offset;
        var rewritten = Migrations!.Rewrite(_arguments);
        if (rewritten is null)
        {
            _statistics.MigrationCommandDropped();
            if (!_inMulti) _confirmed.Skipped(Offset);
            return;
        }
        var db = _databaseMap is null ? sourceDb : _databaseMap.TryGetValue(sourceDb, out var mapped) ? mapped : sourceDb;
        _writer.WriteStreamCommand(rewritten.Length == 0 ? command : new ReadOnlySequence<byte>(rewritten), db, endOffset);
    }

    // The database a SELECT names, read from the span or from the argument slices, whichever the command was read into.
    private int SelectedDb(in RespCommandFrame frame, ReadOnlySpan<byte> encoded)
    {
        var onSpan = !encoded.IsEmpty;
        if ((onSpan ? frame.ArgumentCount : _arguments.Count) < 2)
            throw new InvalidDataException($"the replication stream sent SELECT without a database at offset {Offset}");
        return onSpan ? StreamCommandClassifier.ParseDb(frame.FirstArgument(encoded)) : StreamCommandClassifier.ParseDb(_arguments[1]);
    }

    // From the span when the writer can take it at once, else as a slice of the buffer (which stays valid until the
    // backlog is written).
    private void Forward(ReadOnlySpan<byte> encoded, in ReadOnlySequence<byte> buffer, SequencePosition start, long length, long endOffset, int sourceDb)
    {
        var db = _databaseMap is null ? sourceDb : _databaseMap.TryGetValue(sourceDb, out var mapped) ? mapped : sourceDb;
        if (!encoded.IsEmpty && _writer.TryWriteStreamCommand(encoded, db, endOffset)) return;
        _writer.WriteStreamCommand(buffer.Slice(start, length), db, endOffset);
    }
}
