using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Resp.Pipelining;

/// <summary>
/// Sends many requests over one connection without waiting for each reply, up to <see cref="PipelineLimit"/> outstanding;
/// callers wait (asynchronously) when the window is full. Replies are matched to requests in order by a reader loop.
/// Two ways to send, freely mixed:
/// <list type="bullet">
/// <item><see cref="EnqueueAsync{TCommand}"/>: the hot path. The request carries a <typeparamref name="TTag"/>, nothing is
/// flushed until <see cref="FlushAsync"/> (or the window fills), and the reply goes to the <see cref="IReplyHandler{TTag}"/>.
/// Allocation-free when the window has room.</item>
/// <item><see cref="SendAsync(string[])"/>: awaits the materialized reply (error replies are values, not exceptions).</item>
/// </list>
/// Producers may call from several tasks; writes are serialized, and requests go out in the order callers obtain the
/// write lock (await each call when the order matters). If the connection drops, times out (no reply within the
/// connection's read timeout while requests are outstanding) or the client is disposed, every outstanding request fails
/// with a <see cref="RedisConnectionException"/> naming the endpoint, and later calls throw it.
/// </summary>
/// <typeparam name="TTag">Value attached to hot-path requests and handed back with their reply.</typeparam>
public sealed class PipelinedClient<TTag> : IAsyncDisposable
{
    private const long AutoFlushBytes = 256 * 1024;

    private readonly RedisConnection _connection;
    private readonly bool _ownsConnection;
    private readonly IReplyHandler<TTag>? _handler;
    private readonly PipeWriter _output;
    // Async writers queue on this gate; once through, they (and TryEnqueue, which never waits) also take _writing.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _queueLock = new();
    private readonly PendingQueue<Pending> _pending;
    // Requests answered by one run of +OK replies, taken out of the queue together (reader loop only).
    private readonly Pending[] _okBatch = new Pending[ReleaseBatch];
    private readonly List<(long Target, TaskCompletionSource Done)> _drains = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _readLoop;
    private readonly Timer? _watchdog;
    private Exception? _failure;
    private long _sent;
    private long _confirmed;
    private long _lastProgress = Environment.TickCount64;
    private long _flushedThrough;
    private TaskCompletionSource? _room;
    // Under _queueLock: window slots not taken by a request in flight, and whether someone is writing to the output.
    // Kept under the lock that records requests so the hot path takes one lock per request instead of three.
    private int _free;
    private bool _writing;
    private volatile bool _disposing;

    /// <summary>Starts the reader loop on <paramref name="connection"/>; nothing else may read or write it from now on.</summary>
    /// <param name="connection">An open, handshaken connection.</param>
    /// <param name="pipelineLimit">Most requests outstanding at once (redis-shake's <c>pipeline_count_limit</c>).</param>
    /// <param name="handler">Receives replies of tagged requests; required only for <see cref="EnqueueAsync{TCommand}"/>.</param>
    /// <param name="ownsConnection">Dispose the connection when the client is disposed.</param>
    public PipelinedClient(RedisConnection connection, int pipelineLimit, IReplyHandler<TTag>? handler = null, bool ownsConnection = true)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(pipelineLimit, 1);
        _connection = connection;
        _ownsConnection = ownsConnection;
        _handler = handler;
        _output = connection.Output;
        PipelineLimit = pipelineLimit;
        _free = pipelineLimit;
        _pending = new PendingQueue<Pending>(pipelineLimit);
        _readLoop = Task.Run(ReadLoopAsync);
        var timeout = connection.Options.ReadTimeout;
        if (timeout != Timeout.InfiniteTimeSpan && timeout > TimeSpan.Zero)
        {
            var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 50, 5000));
            _watchdog = new Timer(static s => ((PipelinedClient<TTag>)s!).CheckStalled(), this, period, period);
        }
    }

    /// <summary>The server this client talks to.</summary>
    public RedisEndpoint Endpoint => _connection.Endpoint;

    /// <summary>Most requests outstanding at once.</summary>
    public int PipelineLimit { get; }

    /// <summary>Requests written and not yet answered.</summary>
    public int InFlight
    {
        get
        {
            lock (_queueLock) return _pending.Count;
        }
    }

    /// <summary>Requests answered so far (error replies included).</summary>
    public long Confirmed => Interlocked.Read(ref _confirmed);

    /// <summary>Completes when the reader loop ends: faulted with the reason the client failed, or successfully after disposal.</summary>
    public Task Completion => _readLoop;

    /// <summary>
    /// Writes a tagged request without flushing; its reply goes to the handler. Waits while the window is full
    /// (flushing first, so the outstanding requests can be answered).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask EnqueueAsync<TCommand>(TTag tag, TCommand command, CancellationToken cancellation = default)
        where TCommand : IRespCommand
    {
        RequireHandler();
        await AcquireSlotAsync(cancellation);
        await WriteAsync(new Pending(tag, null), command, flush: false, cancellation);
    }

    /// <summary>
    /// Writes tagged requests back to back, with no request of another caller between them: what a connection shared by
    /// several producers needs for <c>ASKING</c> + command, or a whole <c>MULTI</c> … <c>EXEC</c> block. Waits for window
    /// slots one at a time while holding the connection, so a sequence may be longer than the window.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask EnqueueSequenceAsync<TCommand>(IReadOnlyList<(TTag Tag, TCommand Command)> requests, CancellationToken cancellation = default)
        where TCommand : IRespCommand
    {
        RequireHandler();
        await EnterGateAsync(cancellation);
        try
        {
            foreach (var (tag, command) in requests)
            {
                while (true)
                {
                    lock (_queueLock)
                    {
                        if (_failure is not null) throw _failure;
                        if (_free > 0)
                        {
                            _free--;
                            break;
                        }
                    }
                    // The window is full: what we hold must go out so that replies can free slots.
                    await FlushUnderGateAsync(cancellation);
                    await WaitForRoomAsync(cancellation);
                }
                Record(new Pending(tag, null));
                Encode(command);
            }
            if (FlushDue) await FlushUnderGateAsync(cancellation);
        }
        finally
        {
            ExitGate();
        }
    }

    /// <summary>
    /// Writes a tagged request at once when that needs no waiting: a slot of the window is free, no other caller is
    /// writing, and the unflushed buffer is below the size that forces a flush. Returns false, with nothing written,
    /// otherwise; the caller then uses <see cref="EnqueueAsync{TCommand}"/>, which waits and flushes as needed. The
    /// per-request path without async state machines, for producers that write many small requests in a row.
    /// </summary>
    public bool TryEnqueue<TCommand>(TTag tag, in TCommand command)
        where TCommand : IRespCommand, allows ref struct
    {
        RequireHandler();
        lock (_queueLock)
        {
            if (_failure is not null) throw _failure;
            if (_writing || _free == 0 || FlushDue) return false;
            _writing = true;
            _free--;
            _pending.Enqueue(new Pending(tag, null));
            _sent++;
        }
        try
        {
            Encode(command);
            return true;
        }
        finally
        {
            EndWriting();
        }
    }

    /// <summary>Sends everything written so far to the server.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync(CancellationToken cancellation = default)
    {
        await EnterGateAsync(cancellation);
        try
        {
            ThrowIfFailed();
            await FlushUnderGateAsync(cancellation);
        }
        finally
        {
            ExitGate();
        }
    }

    /// <summary>Sends one command (flushed at once) and returns its materialized reply.</summary>
    public Task<RespValue> SendAsync(params string[] arguments) => SendAsync(new StringCommand(arguments), CancellationToken.None);

    /// <summary>Sends one command (flushed at once) and returns its materialized reply.</summary>
    public async Task<RespValue> SendAsync<TCommand>(TCommand command, CancellationToken cancellation = default)
        where TCommand : IRespCommand
    {
        var completion = new TaskCompletionSource<RespValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        await AcquireSlotAsync(cancellation);
        await WriteAsync(new Pending(default!, completion), command, flush: true, cancellation);
        return await completion.Task.WaitAsync(cancellation);
    }

    /// <summary>Flushes, then waits until every request written so far has been answered.</summary>
    public async Task DrainAsync(CancellationToken cancellation = default)
    {
        TaskCompletionSource done;
        await EnterGateAsync(cancellation);
        try
        {
            ThrowIfFailed();
            await FlushUnderGateAsync(cancellation);
            lock (_queueLock)
            {
                if (_failure is not null) throw _failure;
                var target = _sent;
                if (_confirmed >= target) return;
                done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _drains.Add((target, done));
            }
        }
        finally
        {
            ExitGate();
        }
        await done.Task.WaitAsync(cancellation);
    }

    /// <summary>Requests written so far (flushed or not).</summary>
    public long Sent
    {
        get
        {
            lock (_queueLock) return _sent;
        }
    }

    /// <summary>
    /// Completes once the first <paramref name="count"/> requests were answered; flushes nothing (for a caller that is
    /// not the producer and only needs to know when what was written so far has been applied).
    /// </summary>
    public Task WhenConfirmedAsync(long count, CancellationToken cancellation = default)
    {
        TaskCompletionSource done;
        lock (_queueLock)
        {
            if (_failure is not null) return Task.FromException(_failure);
            if (_confirmed >= count) return Task.CompletedTask;
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drains.Add((count, done));
        }
        return done.Task.WaitAsync(cancellation);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AcquireSlotAsync(CancellationToken cancellation)
    {
        while (true)
        {
            lock (_queueLock)
            {
                if (_failure is not null) throw _failure;
                if (_free > 0)
                {
                    _free--;
                    return;
                }
            }
            // The window is full of requests that may still sit unflushed in our buffer: send them so replies can free slots.
            await FlushAsync(cancellation);
            await WaitForRoomAsync(cancellation);
        }
    }

    private void ReturnSlot()
    {
        lock (_queueLock) _free++;
        SignalRoom();
    }

    private async ValueTask EnterGateAsync(CancellationToken cancellation)
    {
        await _writeGate.WaitAsync(cancellation);
        // TryEnqueue does not queue on the gate: wait for one in progress to finish (it only encodes one command).
        var spin = new SpinWait();
        while (true)
        {
            lock (_queueLock)
            {
                if (!_writing)
                {
                    _writing = true;
                    return;
                }
            }
            spin.SpinOnce();
        }
    }

    private void ExitGate()
    {
        EndWriting();
        _writeGate.Release();
    }

    // A release write: whoever next sees false under the lock also sees every byte written before it.
    private void EndWriting() => Volatile.Write(ref _writing, false);

    // Waking a producer per reply would hand the window over one slot at a time, with a thread switch per request;
    // waiting until a good part of it is free lets the producer write a batch and leaves the server's queue non-empty.
    private Task WaitForRoomAsync(CancellationToken cancellation)
    {
        TaskCompletionSource room;
        lock (_queueLock)
        {
            if (_failure is not null || _free >= ResumeSlots) return Task.CompletedTask;
            room = _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        return room.Task.WaitAsync(cancellation);
    }

    private int ResumeSlots => Math.Max(1, PipelineLimit / 2);

    private void SignalRoom()
    {
        TaskCompletionSource? room;
        lock (_queueLock)
        {
            room = _room;
            if (room is null || (_failure is null && _free < ResumeSlots)) return;
            _room = null;
        }
        room.TrySetResult();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync<TCommand>(Pending pending, TCommand command, bool flush, CancellationToken cancellation)
        where TCommand : IRespCommand
    {
        try
        {
            await EnterGateAsync(cancellation);
        }
        catch
        {
            ReturnSlot();
            throw;
        }
        try
        {
            Record(pending);
            Encode(command);
            if (flush || FlushDue)
                await FlushUnderGateAsync(cancellation);
        }
        finally
        {
            ExitGate();
        }
    }

    // Enough is buffered that it should go out now rather than wait for the caller's flush.
    private bool FlushDue => _output.CanGetUnflushedBytes && _output.UnflushedBytes >= AutoFlushBytes;

    private void RequireHandler()
    {
        if (_handler is null) throw new InvalidOperationException("tagged requests need an IReplyHandler; pass one to the constructor");
    }

    // Under the write gate, holding a window slot: recorded before the bytes can reach the server, so the reply always
    // finds its request.
    private void Record(in Pending pending)
    {
        lock (_queueLock)
        {
            if (_failure is not null)
            {
                _free++;
                throw _failure;
            }
            _pending.Enqueue(pending);
            _sent++;
        }
    }

    private void Encode<TCommand>(in TCommand command) where TCommand : IRespCommand, allows ref struct
    {
        try
        {
            command.WriteTo(_output);
        }
        catch (Exception e)
        {
            // Part of the command may already sit in the buffer: the stream can no longer be trusted.
            var failure = new RedisConnectionException(Endpoint.ToString(), $"encoding a command for {Endpoint} failed: {e.Message}", e);
            Fail(failure);
            throw failure;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushUnderGateAsync(CancellationToken cancellation)
    {
        try
        {
            Volatile.Write(ref _lastProgress, Environment.TickCount64);
            Volatile.Write(ref _flushedThrough, Interlocked.Read(ref _sent));
            await _output.FlushAsync(cancellation);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            var failure = new RedisConnectionException(Endpoint.ToString(), $"sending to {Endpoint} failed: {e.Message}", e);
            Fail(failure);
            throw failure;
        }
    }

    private async Task ReadLoopAsync()
    {
        var input = _connection.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                var consumed = Dispatch(buffer);
                input.AdvanceTo(consumed, buffer.End);
                if (result.IsCompleted)
                {
                    Fail(new RedisConnectionException(Endpoint.ToString(), $"connection to {Endpoint} was closed by the server"));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Fail() or DisposeAsync() stopped us; the reason is already recorded.
        }
        catch (RespProtocolException e)
        {
            Fail(new RedisConnectionException(Endpoint.ToString(), $"{Endpoint} sent malformed RESP: {e.Message}", e));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Fail(e as RedisConnectionException ?? new RedisConnectionException(Endpoint.ToString(), $"connection to {Endpoint} failed: {e.Message}", e));
        }
        catch (Exception e)
        {
            Fail(new RedisConnectionException(Endpoint.ToString(), $"reply handling for {Endpoint} failed: {e.Message}", e));
        }
        if (_failure is not null && _failure is not ObjectDisposedException && !_disposing) throw _failure;
    }

    /// <summary>Replies confirmed at once: slots go back to the window and confirmations out in batches of this size.</summary>
    private const int ReleaseBatch = 64;

    private SequencePosition Dispatch(in ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        // Handled replies give their window slots back and count as confirmed in batches (and at the end of the buffer):
        // one lock per batch instead of per reply, which is where the reply thread and the producer used to meet on
        // every request.
        var handled = 0;
        try
        {
            // Once failed, outstanding requests were already failed: leave the rest of the buffer alone.
            while (_failure is null)
            {
                // Most replies of a sync are runs of +OK: matched on the span, their requests taken under one lock.
                var oks = CountOks(reader.UnreadSpan, ReleaseBatch - handled);
                if (oks > 0)
                {
                    HandleOks(oks, reader.Consumed);
                    reader.Advance(oks * Ok.Length);
                    handled += oks;
                }
                else
                {
                    if (!RespReader.TryReadReply(ref reader, out var reply)) break;
                    // RESP3 push messages (invalidations, pub/sub) are not replies to our requests.
                    if (reply.Kind == RespKind.Push) continue;
                    Pending pending;
                    lock (_queueLock)
                    {
                        if (!_pending.TryDequeue(out pending))
                            throw new RespProtocolException($"{Endpoint} sent a reply ({reply.Head}) with no request outstanding", reader.Consumed);
                    }
                    if (pending.Completion is { } completion) completion.TrySetResult(reply.ToValue());
                    else _handler!.OnReply(pending.Tag, reply);
                    handled++;
                }
                if (handled == ReleaseBatch)
                {
                    Confirm(handled);
                    handled = 0;
                }
            }
        }
        finally
        {
            if (handled > 0) Confirm(handled);
        }
        return reader.Position;
    }

    private static ReadOnlySpan<byte> Ok => "+OK\r\n"u8;

    // Consecutive "+OK\r\n" at the start of the span, at most limit.
    private static int CountOks(ReadOnlySpan<byte> span, int limit)
    {
        var count = 0;
        while (count < limit && span.Length >= Ok.Length * (count + 1) && span.Slice(count * Ok.Length, Ok.Length).SequenceEqual(Ok)) count++;
        return count;
    }

    private void HandleOks(int count, long offset)
    {
        var batch = _okBatch;
        int taken;
        lock (_queueLock)
        {
            taken = Math.Min(count, _pending.Count);
            for (var i = 0; i < taken; i++) _pending.TryDequeue(out batch[i]);
        }
        for (var i = 0; i < taken; i++)
        {
            ref var pending = ref batch[i];
            if (pending.Completion is { } completion) completion.TrySetResult(RespReply.SimpleOk.ToValue());
            else _handler!.OnReply(pending.Tag, RespReply.SimpleOk);
            pending = default;
        }
        if (taken < count)
            throw new RespProtocolException($"{Endpoint} sent a reply (+OK) with no request outstanding", offset + taken * Ok.Length);
    }

    private void Confirm(int replies)
    {
        Volatile.Write(ref _lastProgress, Environment.TickCount64);
        TaskCompletionSource? room = null;
        lock (_queueLock)
        {
            // Under the lock so a drain registered concurrently either sees this count or is completed here.
            var confirmed = Interlocked.Add(ref _confirmed, replies);
            if (_drains.Count > 0) CompleteDrains(confirmed);
            // Likewise a producer about to wait for room either sees these slots or is woken here.
            _free += replies;
            if (_room is not null && _free >= ResumeSlots)
            {
                room = _room;
                _room = null;
            }
        }
        room?.TrySetResult();
    }

    private void CompleteDrains(long confirmed)
    {
        for (var i = _drains.Count - 1; i >= 0; i--)
        {
            if (_drains[i].Target > confirmed) continue;
            _drains[i].Done.TrySetResult();
            _drains.RemoveAt(i);
        }
    }

    private void CheckStalled()
    {
        // Only requests that reached the server can be overdue; unflushed ones are the producer's business.
        if (_failure is not null || Interlocked.Read(ref _confirmed) >= Volatile.Read(ref _flushedThrough)) return;
        var silent = Environment.TickCount64 - Volatile.Read(ref _lastProgress);
        var timeout = _connection.Options.ReadTimeout;
        if (silent > timeout.TotalMilliseconds)
            Fail(new RedisConnectionException(Endpoint.ToString(), $"no reply from {Endpoint} within {timeout.TotalSeconds:0.###}s with {InFlight} requests outstanding"));
    }

    private void Fail(Exception error)
    {
        var failed = new List<Pending>();
        List<(long, TaskCompletionSource Done)> drains;
        lock (_queueLock)
        {
            if (_failure is not null) return;
            _failure = error;
            while (_pending.TryDequeue(out var p)) failed.Add(p);
            drains = [.. _drains];
            _drains.Clear();
        }
        _stop.Cancel();
        // Wake producers waiting for a slot; they see _failure and throw.
        SignalRoom();
        foreach (var p in failed)
        {
            if (p.Completion is { } completion) completion.TrySetException(error);
            else _handler?.OnFailed(p.Tag, error);
        }
        foreach (var d in drains) d.Done.TrySetException(error);
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null) throw _failure;
    }

    /// <summary>Fails every outstanding request, stops the reader loop, and (when owned) closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        Fail(new RedisConnectionException(Endpoint.ToString(), $"pipelined client for {Endpoint} was disposed with {InFlight} requests outstanding"));
        if (_watchdog is not null) await _watchdog.DisposeAsync();
        try { await _readLoop; } catch (RedisConnectionException) { }
        if (_ownsConnection) await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private readonly record struct Pending(TTag Tag, TaskCompletionSource<RespValue>? Completion);
}
