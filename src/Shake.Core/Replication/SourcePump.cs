using System.IO.Pipelines;
using Shake.Core.Engine;
using Shake.Core.Spool;

namespace Shake.Core.Replication;

/// <summary>
/// Drains the source socket into the <see cref="ByteSpool"/> as fast as bytes arrive, whatever the target does, so
/// the source never sees its replica output buffer grow. Reports when the RDB transfer is complete and declares the
/// link dead after <c>timeout</c> of silence.
/// </summary>
public sealed class SourcePump
{
    private readonly PipeReader _source;
    private readonly ByteSpool _spool;
    private readonly EngineStatistics _statistics;
    private readonly string _origin;
    private readonly TimeSpan _timeout;
    private TransferEndWatcher? _watcher;
    private Action? _rdbReceived;

    /// <summary>Creates a pump from <paramref name="source"/> to <paramref name="spool"/>.</summary>
    public SourcePump(PipeReader source, ByteSpool spool, EngineStatistics statistics, string origin, TimeSpan timeout)
    {
        _source = source;
        _spool = spool;
        _statistics = statistics;
        _origin = origin;
        _timeout = timeout;
    }

    /// <summary>Watch the bytes for the end of the RDB transfer (after +FULLRESYNC) and call <paramref name="rdbReceived"/> once it is all in.</summary>
    public void WatchTransfer(Action rdbReceived)
    {
        _watcher = new TransferEndWatcher();
        _rdbReceived = rdbReceived;
    }

    /// <summary>Bytes received since the PSYNC answer.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Runs until the source closes (the spool then completes with an error naming it) or cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            while (true)
            {
                silence.CancelAfter(_timeout);
                ReadResult result;
                try
                {
                    result = await _source.ReadAsync(silence.Token);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    throw new TimeoutException($"{_origin} sent nothing for {_timeout.TotalSeconds:F0} s; the replication link is considered dead");
                }
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    _spool.Write(buffer);
                    BytesReceived += buffer.Length;
                    if (_watcher is not null && _watcher.Observe(buffer)) _rdbReceived?.Invoke();
                }
                _source.AdvanceTo(buffer.End);
                _statistics.SetSpool(_spool.MemoryBytes, _spool.DiskBytes);
                if (result.IsCompleted)
                {
                    var closed = new IOException($"{_origin} closed the replication connection (a source drops a replica on client-output-buffer-limit replica, repl-timeout or CLIENT KILL; its log says which)");
                    _spool.Complete(closed);
                    throw closed;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The consumer must see the same reason once it has read what arrived before it.
            _spool.Complete(e);
            throw;
        }
    }
}
