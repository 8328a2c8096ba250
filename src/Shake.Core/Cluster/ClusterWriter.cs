using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Replication;
using Shake.Core.Routing;
using Shake.Core.Writers;
using Shake.Rdb.Dump;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Cluster;

/// <summary>
/// One engine's writer into a <see cref="ClusterTarget"/>: routes every key by its slot to the master that serves it,
/// over connections shared with the other engines, and keeps each request (its encoded bytes) until the target
/// answered it, so that it can be sent again.
/// <para>
/// Order: requests carry a sequence number; replies are accounted for, and the source offset confirmed, strictly in
/// that order. When a request is redirected (<c>MOVED</c>, <c>ASK</c>), refused for now (<c>TRYAGAIN</c>,
/// <c>CLUSTERDOWN</c>, <c>LOADING</c>) or lost with its connection, the writer stops sending new requests, waits until
/// everything sent was answered, reads the topology again where needed, and sends every request without a good reply
/// again in sequence order before it lets new ones through: two requests of one slot never overtake each other. It keeps
/// trying until <see cref="ClusterTargetOptions.RetryDeadline"/>, then fails naming node, slot and key.
/// </para>
/// <para>
/// Multi-key stream commands whose keys lie in several slots are split per slot when that keeps their meaning (MSET,
/// DEL, UNLINK, TOUCH) and refused otherwise (counted, logged with the command's name); a MULTI…EXEC block is sent
/// whole to one master, or refused when its keys lie in several slots.
/// </para>
/// </summary>
public sealed class ClusterWriter : ITargetWriter, IEntryCommandSink
{
    // Requests kept (sent or waiting) before the producer is asked to wait, and the bytes they may hold.
    private const int SoftRequestLimit = 4096;
    private const long SoftByteLimit = 8L << 20;
    private const int MaxAttempts = 64;
    private static readonly byte[] Asking = "*1\r\n$6\r\nASKING\r\n"u8.ToArray();

    private readonly ClusterTarget _target;
    private readonly TargetWriterOptions _options;
    private readonly EngineStatistics _statistics;
    private readonly ILogger _logger;
    private readonly ReplyAccounting _accounting;
    private readonly Lock _gate = new();
    private readonly RequestBufferPool _buffers = new(SoftRequestLimit * 2);
    private readonly PooledBufferWriter _encoder;
    private readonly SlotRoute _route = new();
    private readonly EntryFormChooser _forms;
    private readonly List<BlockPart> _block = [];
    private readonly HashSet<ClusterNodeLink> _unflushed = [];
    private ReplicaWait? _replicaWait;
    private readonly TaskCompletionSource _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();
    private ClusterRequest[] _ring = new ClusterRequest[1024];
    private long _head;
    private long _next;
    private int _inFlight;
    private long _bytesHeld;
    private bool _repairing;
    private Task? _backlog;
    private TaskCompletionSource? _changed;
    private ConfirmedOffset? _offsets;
    private bool _inBlock;
    private byte[] _keyScratch = new byte[256];
    private int _convertingSlot = -1;
    private int _convertingDb;
    private bool _disposed;

    internal ClusterWriter(ClusterTarget target, TargetWriterOptions options, EngineStatistics statistics, ILogger logger)
    {
        _target = target;
        _options = options;
        _statistics = statistics;
        _logger = logger;
        _accounting = new ReplyAccounting(options, statistics, logger, Fail);
        RdbVersion = options.TargetRdbVersion ?? target.Info.RdbVersion;
        _encoder = new PooledBufferWriter(_buffers);
        _forms = new EntryFormChooser(options.Form, options.Behavior, target.Info.Version);
        ProtoMaxBulkLength = options.ProtoMaxBulkLength ?? target.Info.ProtoMaxBulkLength;
    }

    /// <inheritdoc cref="ITargetWriter.Info" />
    public TargetInfo Info => _target.Info;

    /// <inheritdoc />
    public int RdbVersion { get; }

    /// <inheritdoc cref="IEntryCommandSink.ProtoMaxBulkLength" />
    public long ProtoMaxBulkLength { get; }

    /// <inheritdoc />
    public string Endpoint => _target.Description;

    /// <inheritdoc cref="ITargetWriter.Behavior" />
    public RestoreBehavior Behavior => _options.Behavior;

    /// <inheritdoc />
    public Task Failure => _failure.Task;

    /// <inheritdoc />
    public bool HasBacklog => _backlog is { IsCompleted: false } || _next - _head > SoftRequestLimit || Interlocked.Read(ref _bytesHeld) > SoftByteLimit;

    /// <summary>Requests kept because the target has not answered them yet (or they wait to be sent again).</summary>
    public long Pending
    {
        get
        {
            lock (_gate) return _next - _head;
        }
    }

    /// <inheritdoc />
    public void TrackOffsets(ConfirmedOffset offsets) => _offsets = offsets;

    /// <inheritdoc />
    public async Task<RespValue> ExecuteAsync(string[] command, CancellationToken cancellation)
    {
        await DrainAsync(cancellation);
        return await _target.ExecuteOnMastersAsync(command, cancellation);
    }

    /// <inheritdoc />
    public async Task<RespValue> ExecuteForKeyAsync(string[] command, CancellationToken cancellation)
    {
        await DrainAsync(cancellation);
        return await _target.ExecuteForKeyAsync(command[1], command, cancellation);
    }

    /// <inheritdoc />
    public async Task<long> DeleteSlotsAsync(IReadOnlyList<SlotRange> slots, int db, string keptPrefix, CancellationToken cancellation)
    {
        // A cluster has db 0 only: nothing was written elsewhere.
        if (db != 0) return 0;
        await DrainAsync(cancellation);
        var sweep = new SlotSweep(slots, keptPrefix);
        await sweep.SweepSlotsAsync((slot, command, ct) => _target.ExecuteForSlotAsync(slot, command, ct), Endpoint, cancellation);
        return sweep.Deleted;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RespValue>> ExecuteOnEachNodeAsync(string[] command, CancellationToken cancellation)
    {
        await DrainAsync(cancellation);
        return await _target.ExecuteOnEachMasterAsync(command, cancellation);
    }

    /// <inheritdoc />
    public void WriteEntry(in RdbEntry entry, int targetDb)
    {
        if (targetDb != 0)
        {
            _statistics.KeyFailed(entry.Key, entry.Db, $"it is in db {targetDb}, but a cluster target has db 0 only");
            _logger.LogError("key {Key} is in db {Db}, but a cluster target has db 0 only; map or drop that db with a filter", KeyText.Format(entry.Key), targetDb);
            return;
        }
        var slot = ClusterSlot.Of(entry.Key);
        var payloadLength = DumpPayload.Length(entry.RawValue.Length);
        if (entry.RdbVersion <= RdbVersion && payloadLength <= ProtoMaxBulkLength)
        {
            // Plain strings cost the target less as SET than as RESTORE; one request per key (batches of one slot would
            // mostly hold a single key, since a server's RDB is not ordered by slot).
            var form = _forms.Choose(entry, out var value);
            if (form != EntryForm.Restore && value.Length <= ProtoMaxBulkLength)
            {
                new SetStringCommand(entry.Key, value, entry.ExpireAtMs, nx: _options.Behavior != RestoreBehavior.Rewrite).WriteTo(_encoder);
                var (set, setLength) = _encoder.Detach();
                Submit(set, setLength, slot, WriteKind.SetString, entry.Db, 0);
                return;
            }
            if (_keyScratch.Length < entry.Key.Length) _keyScratch = new byte[Math.Max(entry.Key.Length, _keyScratch.Length * 2)];
            entry.Key.CopyTo(_keyScratch);
            new RestoreCommand(_keyScratch.AsMemory(0, entry.Key.Length), entry.Type, entry.RawValue, (ushort)entry.RdbVersion,
                entry.ExpireAtMs, _options.Behavior == RestoreBehavior.Rewrite, entry.IdleSeconds, entry.Frequency).WriteTo(_encoder);
            var (buffer, length) = _encoder.Detach();
            Submit(buffer, length, slot, WriteKind.Restore, entry.Db, 0);
            return;
        }
        var reason = entry.RdbVersion > RdbVersion
            ? $"its RDB version {entry.RdbVersion} is newer than the target's {RdbVersion}"
            : $"its payload of {payloadLength} bytes exceeds the target's proto-max-bulk-len {ProtoMaxBulkLength}";
        if (_options.Converter is null)
        {
            _statistics.KeyFailed(entry.Key, entry.Db, $"cannot be restored: {reason}, and no conversion to plain commands is available");
            _logger.LogError("key {Key} (db {Db}) cannot be restored: {Reason}, and no conversion to plain commands is available", KeyText.Format(entry.Key), entry.Db, reason);
            return;
        }
        _convertingSlot = slot;
        _convertingDb = entry.Db;
        try
        {
            _options.Converter.Convert(entry, this);
        }
        catch (EntryConversionException e)
        {
            _statistics.KeyFailed(entry.Key, entry.Db, $"cannot be restored ({reason}) nor converted: {e.Message}");
            _logger.LogError("key {Key} (db {Db}) cannot be restored ({Reason}) nor converted: {Error}", KeyText.Format(entry.Key), entry.Db, reason, e.Message);
            _convertingSlot = -1;
            return;
        }
        // The key counts once, when the target confirmed all of it: a converter that wrote no final command gets one.
        if (_convertingSlot >= 0)
        {
            RespCommandWriter.WriteCommand(_encoder, "PING");
            var (buffer, length) = _encoder.Detach();
            Submit(buffer, length, _convertingSlot, WriteKind.ConvertedEntry, _convertingDb, 0);
        }
        _convertingSlot = -1;
    }

    /// <inheritdoc />
    public IRdbValueVisitor? BeginLargeEntry(in RdbEntry entry, int targetDb)
    {
        if (targetDb != 0 || _options.Converter is not IStreamingEntryConverter converter)
        {
            var why = targetDb != 0 ? $"it is in db {targetDb}, but a cluster target has db 0 only" : "too large to hold in memory, and no conversion to plain commands is available";
            _statistics.KeyFailed(entry.Key, entry.Db, why);
            _logger.LogError("key {Key} (db {Db}) is not copied: {Why}", KeyText.Format(entry.Key), entry.Db, why);
            return null;
        }
        _convertingSlot = ClusterSlot.Of(entry.Key);
        _convertingDb = entry.Db;
        _largeKey = entry.Key.ToArray();
        try
        {
            return converter.BeginStreaming(entry, this);
        }
        catch (EntryConversionException e)
        {
            _statistics.KeyFailed(entry.Key, entry.Db, $"too large to hold in memory and cannot be converted: {e.Message}");
            _logger.LogError("key {Key} (db {Db}) is too large to hold in memory and cannot be converted: {Error}", KeyText.Format(entry.Key), entry.Db, e.Message);
            _convertingSlot = -1;
            return null;
        }
    }

    /// <inheritdoc />
    public void EndLargeEntry()
    {
        try
        {
            ((IStreamingEntryConverter)_options.Converter!).EndStreaming(this);
        }
        catch (EntryConversionException e)
        {
            _statistics.KeyFailed(_largeKey, _convertingDb, $"too large to hold in memory and could not be converted: {e.Message}");
            _logger.LogError("key {Key} (db {Db}) is too large to hold in memory and could not be converted: {Error}", KeyText.Format(_largeKey), _convertingDb, e.Message);
        }
        _convertingSlot = -1;
        _largeKey = [];
    }

    private byte[] _largeKey = [];

    /// <inheritdoc />
    void IEntryCommandSink.Write<TCommand>(TCommand command) => SubmitConverted(command, WriteKind.ConvertedPart);

    /// <inheritdoc />
    void IEntryCommandSink.WriteFinal<TCommand>(TCommand command)
    {
        if (_convertingSlot < 0) throw new InvalidOperationException("a converted entry has exactly one final command");
        SubmitConverted(command, WriteKind.ConvertedEntry);
        _convertingSlot = -1;
    }

    private void SubmitConverted<TCommand>(TCommand command, WriteKind kind) where TCommand : IRespCommand
    {
        command.WriteTo(_encoder);
        var (buffer, length) = _encoder.Detach();
        // The staging key shares the key's slot whenever a hash tag allows; otherwise its own slot decides.
        var slot = _route.SlotOfFirstArgument(buffer, length);
        Submit(buffer, length, slot < 0 ? _convertingSlot : slot, kind, _convertingDb, 0);
    }

    /// <inheritdoc />
    public void WriteStreamCommand(in ReadOnlySequence<byte> encoded, int targetDb, long endOffset)
    {
        var buffer = _buffers.Rent((int)encoded.Length);
        encoded.CopyTo(buffer);
        RouteStreamCommand(buffer, (int)encoded.Length, targetDb, endOffset);
    }

    /// <inheritdoc />
    public bool TryWriteStreamCommand(ReadOnlySpan<byte> encoded, int targetDb, long endOffset)
    {
        var buffer = _buffers.Rent(encoded.Length);
        encoded.CopyTo(buffer);
        RouteStreamCommand(buffer, encoded.Length, targetDb, endOffset);
        return true;
    }

    private void RouteStreamCommand(byte[] buffer, int length, int targetDb, long endOffset)
    {
        var kind = _route.Analyze(buffer, length);
        if (kind == SlotRouteKind.Multi)
        {
            _inBlock = true;
            ReleaseBlock();
            _block.Add(new BlockPart(buffer, length, endOffset, -1, targetDb, "MULTI"));
            return;
        }
        if (_inBlock)
        {
            var slot = kind switch
            {
                SlotRouteKind.Single => _route.Slot,
                SlotRouteKind.Split or SlotRouteKind.CrossSlot => -2,
                _ => -1,
            };
            _block.Add(new BlockPart(buffer, length, endOffset, slot, targetDb, _route.Name));
            if (kind == SlotRouteKind.Exec)
            {
                _inBlock = false;
                SubmitBlock(endOffset);
            }
            return;
        }
        if (targetDb != 0)
        {
            Refuse(buffer, endOffset, $"{_route.Name} in db {targetDb}: a cluster target has db 0 only (map or drop that db with a filter)");
            return;
        }
        switch (kind)
        {
            case SlotRouteKind.Single:
                Submit(buffer, length, _route.Slot, WriteKind.StreamCommand, 0, endOffset);
                break;
            case SlotRouteKind.Keyless or SlotRouteKind.Exec:
                Submit(buffer, length, 0, WriteKind.StreamCommand, 0, endOffset);
                break;
            case SlotRouteKind.Broadcast:
                Broadcast(buffer, length, WriteKind.StreamCommand, endOffset);
                break;
            case SlotRouteKind.Split:
                foreach (var slot in _route.Slots)
                {
                    _route.WritePart(slot, _encoder);
                    var (part, partLength) = _encoder.Detach();
                    Submit(part, partLength, slot, WriteKind.StreamCommand, 0, endOffset);
                }
                _statistics.CommandSplit();
                _buffers.Return(buffer);
                break;
            default:
                Refuse(buffer, endOffset, $"{_route.Name} touches keys in {_route.Slots.Count} slots ({string.Join(", ", _route.Slots.Take(4))}{(_route.Slots.Count > 4 ? ", …" : "")}) and cannot be split without changing its meaning");
                break;
        }
    }

    private void SubmitBlock(long execEndOffset)
    {
        var slots = _block.Where(p => p.Slot != -1).Select(p => p.Slot).Distinct().ToList();
        var db = _block.Select(p => p.Db).FirstOrDefault(d => d != 0);
        if (slots.Count > 1 || slots.Contains(-2) || db != 0)
        {
            var names = string.Join(" ", _block.Select(p => p.Name));
            var why = db != 0 ? $"it runs in db {db} and a cluster target has db 0 only" : "its keys lie in several slots";
            _statistics.CommandRefused(_block.Count);
            _logger.LogError("refused a MULTI/EXEC block ending at offset {Offset}: {Why} ({Commands})", execEndOffset, why, names.Length > 200 ? names[..200] + "…" : names);
            ReleaseBlock();
            _offsets?.Skipped(execEndOffset);
            return;
        }
        var slot = slots.Count == 1 ? slots[0] : 0;
        long first;
        lock (_gate) first = _next;
        for (var i = 0; i < _block.Count; i++)
        {
            var part = _block[i];
            Enqueue(part.Buffer, part.Length, slot, WriteKind.StreamCommand, 0, part.EndOffset, first, i == _block.Count - 1);
        }
        _block.Clear();
        SendBlock(first);
    }

    private void ReleaseBlock()
    {
        foreach (var part in _block) _buffers.Return(part.Buffer);
        _block.Clear();
    }

    private void Refuse(byte[] buffer, long endOffset, string why)
    {
        _buffers.Return(buffer);
        _statistics.CommandRefused(1);
        _logger.LogError("refused the command at offset {Offset}: {Why}", endOffset, why);
        _offsets?.Skipped(endOffset);
    }

    private void Broadcast(byte[] buffer, int length, WriteKind kind, long endOffset)
    {
        // One request per master, each routed by a slot that master serves, so a resend finds its new owner.
        foreach (var master in _target.Topology.Masters)
        {
            var copy = _buffers.Rent(length);
            buffer.AsSpan(0, length).CopyTo(copy);
            Submit(copy, length, master.Slots[0].Start, kind, 0, endOffset);
        }
        _buffers.Return(buffer);
    }

    /// <inheritdoc />
    public void WriteReplicaWait(ReplicaWait wait, long endOffset)
    {
        _replicaWait = wait;
        // One WAIT per master, behind that master's writes; the wave counts only when every master has enough replicas.
        var masters = _target.Topology.Masters;
        wait.Begin(endOffset, masters.Count);
        RespCommandWriter.WriteCommand(_encoder, wait.Command);
        var (buffer, length) = _encoder.Detach();
        foreach (var master in masters)
        {
            var copy = ArrayPool<byte>.Shared.Rent(length);
            buffer.AsSpan(0, length).CopyTo(copy);
            Submit(copy, length, master.Slots[0].Start, WriteKind.ReplicaWait, 0, endOffset);
        }
        ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <inheritdoc />
    public void LoadFunction(string code) => BroadcastCommand(WriteKind.FunctionLoad, "FUNCTION", "LOAD", "REPLACE", code);

    /// <inheritdoc />
    public void LoadScript(string body) => BroadcastCommand(WriteKind.ScriptLoad, "SCRIPT", "LOAD", body);

    private void BroadcastCommand(WriteKind kind, params string[] arguments)
    {
        RespCommandWriter.WriteCommand(_encoder, arguments);
        var (buffer, length) = _encoder.Detach();
        Broadcast(buffer, length, kind, 0);
    }

    // Records a request and sends it, or leaves it for the repair when one is running.
    private void Submit(byte[] buffer, int length, int slot, WriteKind kind, int db, long endOffset)
    {
        var seq = Enqueue(buffer, length, slot, kind, db, endOffset, -1, false);
        if (seq >= 0) Send(seq);
    }

    private long Enqueue(byte[] buffer, int length, int slot, WriteKind kind, int db, long endOffset, long blockStart, bool blockEnd)
    {
        lock (_gate)
        {
            if (_failure.Task.IsCompleted || _disposed)
            {
                _buffers.Return(buffer);
                return -1;
            }
            if (_next - _head == _ring.Length) Grow();
            var seq = _next++;
            _ring[seq & (_ring.Length - 1)] = new ClusterRequest(buffer, length, slot, kind, db, endOffset, blockStart, blockEnd);
            _bytesHeld += length;
            if (kind == WriteKind.StreamCommand) _offsets?.Sent(endOffset);
            return seq;
        }
    }

    private void Grow()
    {
        var bigger = new ClusterRequest[_ring.Length * 2];
        for (var seq = _head; seq < _next; seq++) bigger[seq & (bigger.Length - 1)] = _ring[seq & (_ring.Length - 1)];
        _ring = bigger;
    }

    private ref ClusterRequest At(long seq) => ref _ring[seq & (_ring.Length - 1)];

    private void Send(long seq)
    {
        ClusterNodeLink? link;
        byte[] buffer;
        int length;
        lock (_gate)
        {
            if (_repairing) return; // stays Held: the repair sends it in order
            ref var request = ref At(seq);
            link = _target.LinkFor(request.Slot);
            if (link is null || link.IsFailed)
            {
                request.MarkRetry(RetryReason.Connection, $"no reachable master serves slot {request.Slot}", link);
                StartRepair();
                return;
            }
            request.State = RequestState.InFlight;
            request.Link = link;
            _inFlight++;
            buffer = request.Buffer!;
            length = request.Length;
            _unflushed.Add(link);
            if (_backlog is { IsCompleted: false } prior)
            {
                _backlog = SendLaterAsync(prior, seq, link, buffer, length);
                return;
            }
        }
        try
        {
            if (link.Client.TryEnqueue(new ClusterTag(this, seq), new EncodedSpanCommand(buffer.AsSpan(0, length)))) return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            OnFailed(seq, link, e);
            return;
        }
        lock (_gate) _backlog = SendLaterAsync(_backlog, seq, link, buffer, length);
    }

    private async Task SendLaterAsync(Task? prior, long seq, ClusterNodeLink link, byte[] buffer, int length)
    {
        if (prior is not null) await prior;
        try
        {
            await link.Client.EnqueueAsync(new ClusterTag(this, seq), new EncodedCommand(new ReadOnlySequence<byte>(buffer, 0, length)), _abort.Token);
        }
        catch (Exception e)
        {
            OnFailed(seq, link, e);
        }
    }

    // A block goes out as one sequence on its master's connection, so no other engine's request lands inside it.
    private void SendBlock(long first)
    {
        lock (_gate)
        {
            if (_repairing) return;
            var link = _target.LinkFor(At(first).Slot);
            if (link is null || link.IsFailed)
            {
                for (var seq = first; seq < _next; seq++) At(seq).MarkRetry(RetryReason.Connection, "no reachable master serves the block's slot", link);
                StartRepair();
                return;
            }
            var parts = new List<(ClusterTag, EncodedCommand)>((int)(_next - first));
            for (var seq = first; seq < _next; seq++)
            {
                ref var request = ref At(seq);
                request.State = RequestState.InFlight;
                request.Link = link;
                _inFlight++;
                parts.Add((new ClusterTag(this, seq), new EncodedCommand(new ReadOnlySequence<byte>(request.Buffer!, 0, request.Length))));
            }
            _unflushed.Add(link);
            _backlog = SendSequenceAsync(_backlog, link, parts, first);
        }
    }

    private async Task SendSequenceAsync(Task? prior, ClusterNodeLink link, List<(ClusterTag Tag, EncodedCommand Command)> parts, long first)
    {
        if (prior is not null) await prior;
        try
        {
            await link.Client.EnqueueSequenceAsync(parts, _abort.Token);
        }
        catch (Exception e)
        {
            foreach (var (tag, _) in parts)
                if (tag.Sequence >= 0) OnFailed(tag.Sequence, link, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask WaitForBacklogAsync()
    {
        while (true)
        {
            Task wait;
            var flush = false;
            lock (_gate)
            {
                if (_backlog is { IsCompleted: false } backlog) wait = backlog;
                else if (_failure.Task.IsCompleted || (_next - _head <= SoftRequestLimit && _bytesHeld <= SoftByteLimit)) return;
                else
                {
                    wait = Changed();
                    flush = _unflushed.Count > 0;
                }
            }
            // Requests still in our buffers get no reply: they must go out before waiting for replies makes sense.
            if (flush) await FlushUnflushedAsync(CancellationToken.None);
            await Task.WhenAny(wait, _failure.Task);
            if (_failure.Task.IsCompleted) return;
        }
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellation)
    {
        WriteCheckpointIfDue();
        await WaitForBacklogAsync();
        await FlushUnflushedAsync(cancellation);
    }

    private long _checkpointedOffset = -1;

    // A cluster target gets no transaction across masters: the checkpoint records the offset every master confirmed
    // (all commands up to it applied), written on its own every ClusterInterval while that advances, and at the
    // heartbeat interval otherwise. After a crash the commands confirmed after it are applied again (at-least-once).
    private void WriteCheckpointIfDue()
    {
        if (_options.Checkpoint is not { Active: true } checkpoint || _offsets is null || checkpoint.Position is not { } position) return;
        var confirmed = _offsets.Value;
        var due = confirmed != _checkpointedOffset ? checkpoint.IsDue(checkpoint.Options.ClusterInterval) : checkpoint.IsDue(checkpoint.Options.HeartbeatInterval);
        if (!due) return;
        checkpoint.Update(confirmed, position.Database).WriteTo(_encoder);
        var (buffer, length) = _encoder.Detach();
        Submit(buffer, length, ClusterSlot.Of(checkpoint.KeyBytes), WriteKind.Checkpoint, 0, 0);
        _checkpointedOffset = confirmed;
        checkpoint.MarkWritten();
    }

    private async ValueTask FlushUnflushedAsync(CancellationToken cancellation)
    {
        ClusterNodeLink[] links;
        lock (_gate)
        {
            if (_unflushed.Count == 0) return;
            links = [.. _unflushed];
            _unflushed.Clear();
        }
        foreach (var link in links)
        {
            try
            {
                await link.Client.FlushAsync(cancellation);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The link's requests fail one by one through OnFailed; the repair takes them from there.
            }
        }
    }

    /// <inheritdoc />
    public async Task DrainAsync(CancellationToken cancellation)
    {
        await FlushAsync(cancellation);
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_failure.Task.IsCompleted) break;
                if (_head == _next && !_repairing) return;
                wait = Changed();
            }
            await Task.WhenAny(wait, _failure.Task).WaitAsync(cancellation);
        }
        await _failure.Task;
    }

    // Under the gate: a task completed by the next reply, release or repair step.
    private Task Changed() => (_changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void SignalChanged()
    {
        var changed = _changed;
        if (changed is null) return;
        _changed = null;
        changed.TrySetResult();
    }

    /// <summary>A reply to request <paramref name="seq"/> arrived on <paramref name="link"/> (the link's reader loop).</summary>
    internal void OnReply(long seq, ClusterNodeLink link, in RespReply reply)
    {
        lock (_gate)
        {
            if (seq < _head || seq >= _next) return;
            ref var request = ref At(seq);
            if (request.State != RequestState.InFlight || !ReferenceEquals(request.Link, link)) return;
            _inFlight--;
            var reason = Classify(reply.ErrorKind);
            if (reason != RetryReason.None)
            {
                var message = reply.GetError().Message;
                // ASK inside a block cannot be followed command by command; the block is sent again once the slot settled.
                if (reason == RetryReason.Ask && request.BlockStart >= 0) reason = RetryReason.TryAgain;
                request.MarkRetry(reason, message, link);
                if (reason == RetryReason.Ask) request.AskTarget = AddressOf(message);
                _statistics.Redirected();
                if (request.BlockEnd) MarkBlockRetry(request.BlockStart, seq, reason, message);
                StartRepair();
            }
            else if (request.BlockStart >= 0 && !request.BlockEnd)
            {
                request.State = RequestState.Replied;
            }
            else if (request.BlockEnd)
            {
                if (BlockHasRetry(request.BlockStart, seq))
                {
                    MarkBlockRetry(request.BlockStart, seq, RetryReason.TryAgain, reply.IsError ? reply.GetError().Message : "a command of the block was redirected");
                    StartRepair();
                }
                else
                {
                    for (var s = request.BlockStart; s < seq; s++)
                    {
                        At(s).State = RequestState.Done;
                        _statistics.CommandForwarded();
                    }
                    _accounting.Account(WriteKind.StreamCommand, request.Db, request.EndOffset, default, reply, link.Address);
                    request.State = RequestState.Done;
                }
            }
            else if (request.Attempts > 0 && request.Reason == RetryReason.Connection
                && ((request.Kind == WriteKind.Restore && reply.ErrorKind == RespErrorKind.BusyKey) || (request.Kind == WriteKind.SetString && reply.Head.IsNull)))
            {
                // Sent again after its connection was lost: the first attempt was applied, only its reply went missing.
                _statistics.KeyApplied();
                request.State = RequestState.Done;
            }
            else if (request.Kind == WriteKind.ReplicaWait)
            {
                // A WAIT sent again on a new connection counts that connection's writes only: it proves nothing.
                _replicaWait?.Answered(request.Attempts == 0 && reply.Kind == RespKind.Integer ? reply.Head.Integer : -1);
                request.State = RequestState.Done;
            }
            else
            {
                var named = reply.IsError || (request.Kind == WriteKind.SetString && reply.Head.IsNull);
                var key = named && request.Kind != WriteKind.StreamCommand ? SlotRoute.FirstArgument(request.Buffer!, request.Length) : default;
                _accounting.Account(request.Kind, request.Db, request.EndOffset, key, reply, link.Address);
                request.State = RequestState.Done;
            }
            ReleaseDone();
            SignalChanged();
        }
    }

    /// <summary>Request <paramref name="seq"/> got no reply: its connection failed.</summary>
    internal void OnFailed(long seq, ClusterNodeLink link, Exception error)
    {
        lock (_gate)
        {
            if (seq < _head || seq >= _next) return;
            ref var request = ref At(seq);
            if (request.State != RequestState.InFlight || !ReferenceEquals(request.Link, link)) return;
            _inFlight--;
            request.MarkRetry(RetryReason.Connection, error.Message, link);
            StartRepair();
            SignalChanged();
        }
    }

    private bool BlockHasRetry(long start, long end)
    {
        for (var s = start; s <= end; s++)
            if (At(s).State == RequestState.Retry) return true;
        return false;
    }

    private void MarkBlockRetry(long start, long end, RetryReason reason, string message)
    {
        for (var s = start; s <= end; s++)
        {
            ref var member = ref At(s);
            if (member.State is RequestState.Replied or RequestState.Done) member.MarkRetry(reason, message, member.Link);
        }
    }

    private void ReleaseDone()
    {
        while (_head < _next)
        {
            ref var request = ref At(_head);
            if (request.State != RequestState.Done) break;
            if (request.Kind == WriteKind.StreamCommand) _offsets?.Confirmed(request.EndOffset);
            _bytesHeld -= request.Length;
            _buffers.Return(request.Buffer!);
            request = default;
            _head++;
        }
    }

    private static RetryReason Classify(RespErrorKind kind) => kind switch
    {
        RespErrorKind.Moved or RespErrorKind.ReadOnly => RetryReason.Moved,
        RespErrorKind.Ask => RetryReason.Ask,
        RespErrorKind.TryAgain or RespErrorKind.Loading => RetryReason.TryAgain,
        RespErrorKind.ClusterDown => RetryReason.ClusterDown,
        _ => RetryReason.None,
    };

    // "ASK 3999 127.0.0.1:6381" -> "127.0.0.1:6381"
    private static string? AddressOf(string message)
    {
        var parts = message.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 ? parts[2] : null;
    }

    private Task? _repair;

    private void StartRepair()
    {
        if (_repairing || _disposed) return;
        _repairing = true;
        _repair = Task.Run(RepairAsync);
    }

    private async Task RepairAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var round = 0;
        try
        {
            while (true)
            {
                // 1. Everything sent gets its answer first: only then is the set of requests to send again complete.
                Task? backlog;
                lock (_gate) backlog = _backlog;
                if (backlog is not null) await backlog;
                await FlushLinksAsync();
                await WaitUntilIdleAsync();

                // 2. What went wrong, and is it time to give up?
                RepairPlan plan;
                lock (_gate)
                {
                    plan = Plan();
                    if (!plan.Any)
                    {
                        _repairing = false;
                        ReleaseDone();
                        SignalChanged();
                        if (round > 0) _logger.LogInformation("target cluster: resent what was redirected or lost; writing goes on ({Rounds} rounds)", round);
                        return;
                    }
                }
                round++;
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed > _target.Options.RetryDeadline || plan.MaxAttempts >= MaxAttempts)
                {
                    Fail(new IOException($"the target cluster did not take a write for {elapsed.TotalSeconds:0.#}s ({plan.MaxAttempts} attempts): node {plan.Node ?? "(none)"}, slot {plan.Slot}, key {plan.Key}: {plan.Error}"));
                    return;
                }
                if (plan.Count > 0 && (round == 1 || round % 10 == 0))
                    _logger.LogWarning("target cluster: {Count} writes to send again ({Reason} at node {Node}, slot {Slot}: {Error}); round {Round}", plan.Count, plan.Reason, plan.Node ?? "(none)", plan.Slot, plan.Error, round);

                // 3. Wait for the cluster where waiting helps, read the topology where it changed, then send in order.
                if (plan.Delay) await Task.Delay(Backoff(round), _abort.Token);
                if (plan.Refresh) await _target.RefreshAsync(_abort.Token);
                await ResendAsync();
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private static TimeSpan Backoff(int round) => TimeSpan.FromMilliseconds(Math.Min(2000, 25 << Math.Min(round, 7)));

    private RepairPlan Plan()
    {
        var plan = new RepairPlan();
        for (var seq = _head; seq < _next; seq++)
        {
            ref var request = ref At(seq);
            if (request.State == RequestState.Held)
            {
                plan.Any = true;
                continue;
            }
            if (request.State != RequestState.Retry) continue;
            plan.Any = true;
            plan.Count++;
            switch (request.Reason)
            {
                case RetryReason.Moved:
                    plan.Refresh = true;
                    break;
                case RetryReason.Connection or RetryReason.ClusterDown:
                    plan.Refresh = true;
                    plan.Delay = true;
                    break;
                case RetryReason.TryAgain:
                    plan.Delay = true;
                    break;
            }
            if (request.Attempts >= plan.MaxAttempts)
            {
                plan.MaxAttempts = request.Attempts;
                plan.Node = request.Link?.Address;
                plan.Slot = request.Slot;
                plan.Error = request.Error;
                plan.Reason = request.Reason;
                plan.Key = KeyText.Format(SlotRoute.FirstArgument(request.Buffer!, request.Length));
            }
        }
        return plan;
    }

    private async Task ResendAsync()
    {
        long end;
        lock (_gate) end = _next;
        // A slot whose first waiting request could not go out holds back all its later ones in this round.
        var blocked = new HashSet<int>();
        for (var seq = Volatile.Read(ref _head); seq < end; seq++)
        {
            string? ask;
            int slot;
            long blockStart;
            lock (_gate)
            {
                if (seq < _head) continue;
                ref var request = ref At(seq);
                if (request.State is not (RequestState.Retry or RequestState.Held)) continue;
                ask = request.Reason == RetryReason.Ask ? request.AskTarget : null;
                slot = request.Slot;
                blockStart = request.BlockStart;
            }
            if (blocked.Contains(slot)) continue;
            var link = ask is null ? _target.LinkFor(slot) : await _target.LinkToAsync(ask, _abort.Token);
            if (link is null || link.IsFailed)
            {
                blocked.Add(slot);
                lock (_gate)
                {
                    ref var request = ref At(seq);
                    if (request.State == RequestState.Held) request.MarkRetry(RetryReason.Connection, $"no reachable master serves slot {slot}", link);
                    else request.Reason = RetryReason.Connection;
                }
                continue;
            }
            var parts = new List<(ClusterTag, EncodedCommand)>();
            lock (_gate)
            {
                var last = seq;
                if (blockStart >= 0)
                    while (!At(last).BlockEnd && last + 1 < _next) last++;
                if (ask is not null) parts.Add((new ClusterTag(this, -1), new EncodedCommand(new ReadOnlySequence<byte>(Asking))));
                for (var s = seq; s <= last; s++)
                {
                    ref var request = ref At(s);
                    request.State = RequestState.InFlight;
                    request.Link = link;
                    request.Attempts++;
                    _inFlight++;
                    parts.Add((new ClusterTag(this, s), new EncodedCommand(new ReadOnlySequence<byte>(request.Buffer!, 0, request.Length))));
                }
                _statistics.Resent(parts.Count);
                seq = last;
            }
            try
            {
                await link.Client.EnqueueSequenceAsync(parts, _abort.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                blocked.Add(slot);
                foreach (var (tag, _) in parts)
                    if (tag.Sequence >= 0) OnFailed(tag.Sequence, link, e);
            }
        }
    }

    private async Task FlushLinksAsync()
    {
        foreach (var link in _target.Links())
        {
            try
            {
                await link.Client.FlushAsync(_abort.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed link fails its requests through OnFailed.
            }
        }
    }

    private async Task WaitUntilIdleAsync()
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_inFlight == 0) return;
                wait = Changed();
            }
            await wait.WaitAsync(_abort.Token);
        }
    }

    /// <inheritdoc />
    public async Task WhenWrittenConfirmedAsync(CancellationToken cancellation)
    {
        long until;
        lock (_gate) until = _next;
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_head >= until || _failure.Task.IsCompleted || _disposed) return;
                wait = Changed();
            }
            await wait.WaitAsync(cancellation);
        }
    }

    /// <inheritdoc />
    public void Abort() => _abort.Cancel();

    private void Fail(Exception error)
    {
        if (!_failure.TrySetException(error)) return;
        // Cancelled off this thread: waiters woken by the cancellation must not run inside a reply callback.
        ThreadPool.QueueUserWorkItem(static state => ((CancellationTokenSource)state!).Cancel(), _abort);
    }

    /// <summary>Returns the buffers of requests never answered; the shared connections stay open for the other engines.</summary>
    public async ValueTask DisposeAsync()
    {
        _abort.Cancel();
        _ = _failure.Task.Exception;
        if (_repair is not null)
        {
            try { await _repair; } catch (Exception) { /* reported through Failure */ }
        }
        lock (_gate)
        {
            _disposed = true;
            for (var seq = _head; seq < _next; seq++)
            {
                ref var request = ref At(seq);
                // Requests still on a connection may be written from their buffer: those are left to the collector.
                if (request.Buffer is not null && request.State != RequestState.InFlight) _buffers.Return(request.Buffer);
                request = default;
            }
            _head = _next;
        }
        ReleaseBlock();
    }

    private enum RequestState : byte
    {
        Held,
        InFlight,
        Replied,
        Retry,
        Done,
    }

    private enum RetryReason : byte
    {
        None,
        Moved,
        Ask,
        TryAgain,
        ClusterDown,
        Connection,
    }

    private struct ClusterRequest(byte[] buffer, int length, int slot, WriteKind kind, int db, long endOffset, long blockStart, bool blockEnd)
    {
        public byte[]? Buffer = buffer;
        public int Length = length;
        public int Slot = slot;
        public WriteKind Kind = kind;
        public int Db = db;
        public long EndOffset = endOffset;
        public long BlockStart = blockStart;
        public bool BlockEnd = blockEnd;
        public RequestState State = RequestState.Held;
        public RetryReason Reason;
        public int Attempts;
        public ClusterNodeLink? Link;
        public string? AskTarget;
        public string? Error;

        public void MarkRetry(RetryReason reason, string error, ClusterNodeLink? link)
        {
            State = RequestState.Retry;
            Reason = reason;
            Error = error;
            Link = link;
            AskTarget = null;
        }
    }

    private readonly record struct BlockPart(byte[] Buffer, int Length, long EndOffset, int Slot, int Db, string Name);

    private struct RepairPlan
    {
        public bool Any;
        public int Count;
        public bool Refresh;
        public bool Delay;
        public int MaxAttempts;
        public string? Node;
        public int Slot;
        public string? Error;
        public string Key;
        public RetryReason Reason;
    }
}
