using Shake.Core.Engine;

namespace Shake.Core.Replication;

/// <summary>
/// Sends <c>REPLCONF ACK</c> every interval once the RDB has been received, and at once when the source asks with
/// GETACK. Until the snapshot is applied the acknowledged offset is 0 (it wakes a diskless source up without claiming
/// data the target does not hold yet); afterwards it is the <see cref="ConfirmedOffset"/>.
/// </summary>
public sealed class AckLoop
{
    private readonly ReplicationClient _client;
    private readonly TimeSpan _interval;
    private readonly EngineStatistics _statistics;
    private readonly SemaphoreSlim _wake = new(0);
    private volatile bool _started;
    private volatile ConfirmedOffset? _offsets;
    private volatile ReplicaWait? _replicas;

    /// <summary>Creates the loop; it stays silent until <see cref="Start"/>.</summary>
    public AckLoop(ReplicationClient client, TimeSpan interval, EngineStatistics statistics)
    {
        _client = client;
        _interval = interval;
        _statistics = statistics;
    }

    /// <summary>The offsets being acknowledged, once tracking started.</summary>
    public ConfirmedOffset? Offsets => _offsets;

    /// <summary>Begin acknowledging (the RDB is fully received); sends one ACK right away.</summary>
    public void Start()
    {
        _started = true;
        _wake.Release();
    }

    /// <summary>
    /// Acknowledge <paramref name="offsets"/> from now on (the snapshot is applied), and with <paramref name="replicas"/>
    /// never past what the target's replicas hold.
    /// </summary>
    public void Track(ConfirmedOffset offsets, ReplicaWait? replicas = null)
    {
        _replicas = replicas;
        _offsets = offsets;
        _started = true;
    }

    /// <summary>The offset to acknowledge now: applied on the target, and with <c>target_wait_replicas</c> held by its replicas (0 before that).</summary>
    public long AcknowledgeableOffset => _offsets is not { } offsets ? 0
        : _replicas is { } replicas ? Math.Max(0, Math.Min(offsets.Value, replicas.Value)) : offsets.Value;

    /// <summary>Send an ACK as soon as possible (the source sent GETACK).</summary>
    public void RequestNow() => _wake.Release();

    /// <summary>Runs until cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            while (true)
            {
                await _wake.WaitAsync(_interval, cancellation);
                if (!_started) continue;
                var offset = AcknowledgeableOffset;
                if (_offsets is not null) _statistics.SetConfirmedOffset(offset);
                await _client.SendAckAsync(offset, cancellation);
                _statistics.SetAcknowledgedOffset(offset);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
    }
}
