using System.Diagnostics;

namespace Shake.Core.Status;

/// <summary>
/// Tells how long ago the source bytes at an offset arrived: the receive side records (offset, time) samples, at most
/// one per <see cref="MinimumSpacing"/>, and a reader asks for the age of the first byte after the applied offset.
/// Memory stays bounded however long the target lags: when the samples fill up every other one is dropped and the
/// spacing doubles, so old lag is known more coarsely, never lost. Thread-safe.
/// </summary>
public sealed class LagClock
{
    /// <summary>Closest spacing of two samples.</summary>
    public static readonly TimeSpan MinimumSpacing = TimeSpan.FromMilliseconds(10);

    private const int Capacity = 256;
    private readonly Lock _gate = new();
    private readonly long[] _offsets = new long[Capacity];
    private readonly long[] _times = new long[Capacity];
    private readonly TimeProvider _time;
    private int _count;
    private long _spacing;

    /// <summary>Creates a clock reading <paramref name="time"/> (the system clock when null).</summary>
    public LagClock(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _spacing = (long)(MinimumSpacing.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>The bytes up to <paramref name="receivedOffset"/> have arrived by now; <paramref name="appliedOffset"/> lets older samples go.</summary>
    public void Record(long receivedOffset, long appliedOffset)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            DropApplied(appliedOffset);
            if (_count > 0 && _offsets[_count - 1] >= receivedOffset) return;
            if (_count > 0 && now - _times[_count - 1] < _spacing)
            {
                // Bytes arriving within one spacing join the last sample: their age is then overstated by at most
                // one spacing, and bytes that arrive just before the source goes quiet are never left without one.
                _offsets[_count - 1] = receivedOffset;
                return;
            }
            if (_count == Capacity) Thin();
            _offsets[_count] = receivedOffset;
            _times[_count] = now;
            _count++;
        }
    }

    /// <summary>
    /// How long the first byte after <paramref name="appliedOffset"/> has waited, given that bytes up to
    /// <paramref name="receivedOffset"/> arrived; zero when nothing waits.
    /// </summary>
    public TimeSpan Age(long appliedOffset, long receivedOffset)
    {
        if (receivedOffset <= appliedOffset) return TimeSpan.Zero;
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            // The first sample past the applied offset holds the first unapplied byte; its time is when that sample
            // began, at most one spacing before the byte arrived.
            for (var i = 0; i < _count; i++)
            {
                if (_offsets[i] > appliedOffset) return _time.GetElapsedTime(_times[i], now);
            }
        }
        return TimeSpan.Zero;
    }

    /// <summary>Forgets every sample (a new run).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _count = 0;
            _spacing = (long)(MinimumSpacing.TotalSeconds * _time.TimestampFrequency);
        }
    }

    private void DropApplied(long appliedOffset)
    {
        // Samples wholly applied are no longer needed, except the one that tells when the next bytes began.
        var drop = 0;
        while (drop < _count && _offsets[drop] <= appliedOffset) drop++;
        if (drop == 0) return;
        Array.Copy(_offsets, drop, _offsets, 0, _count - drop);
        Array.Copy(_times, drop, _times, 0, _count - drop);
        _count -= drop;
    }

    private void Thin()
    {
        var kept = 0;
        for (var i = 0; i < _count; i += 2)
        {
            _offsets[kept] = _offsets[i];
            _times[kept] = _times[i];
            kept++;
        }
        _count = kept;
        _spacing *= 2;
    }
}
