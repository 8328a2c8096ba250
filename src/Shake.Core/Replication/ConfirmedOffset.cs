namespace Shake.Core.Replication;

/// <summary>
/// Tracks the replication offset the engine may acknowledge to the source: never past a byte whose command the target
/// has not confirmed. Commands not forwarded (PING, REPLCONF, SELECT) become confirmed as soon as everything sent
/// before them is confirmed. Thread-safe: the stream reader calls <see cref="Sent"/>/<see cref="Skipped"/>, the
/// target's reply loop calls <see cref="Confirmed"/>.
/// </summary>
public sealed class ConfirmedOffset
{
    private readonly Lock _gate = new();
    private long _inFlight;
    private long _confirmed;
    private long _skippedUpTo;

    /// <summary>Starts at <paramref name="initial"/> (the offset at which the stream begins).</summary>
    public ConfirmedOffset(long initial)
    {
        _confirmed = initial;
        _skippedUpTo = initial;
    }

    /// <summary>The highest offset whose bytes are all applied on the target (or needed no applying).</summary>
    public long Value
    {
        get { lock (_gate) return _confirmed; }
    }

    /// <summary>Requests in flight to the target.</summary>
    public long InFlight
    {
        get { lock (_gate) return _inFlight; }
    }

    /// <summary>A request ending at <paramref name="endOffset"/> was sent to the target.</summary>
    public void Sent(long endOffset)
    {
        lock (_gate) _inFlight++;
    }

    /// <summary>The target confirmed the request whose bytes end at <paramref name="endOffset"/> (replies arrive in order).</summary>
    public void Confirmed(long endOffset)
    {
        lock (_gate)
        {
            _inFlight--;
            if (endOffset > _confirmed) _confirmed = endOffset;
            if (_inFlight == 0 && _skippedUpTo > _confirmed) _confirmed = _skippedUpTo;
        }
    }

    /// <summary>Bytes up to <paramref name="endOffset"/> needed nothing from the target.</summary>
    public void Skipped(long endOffset)
    {
        lock (_gate)
        {
            if (endOffset > _skippedUpTo) _skippedUpTo = endOffset;
            if (_inFlight == 0 && _skippedUpTo > _confirmed) _confirmed = _skippedUpTo;
        }
    }
}
