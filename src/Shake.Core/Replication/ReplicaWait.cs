using System.Globalization;
using Microsoft.Extensions.Logging;
using Shake.Core.Engine;

namespace Shake.Core.Replication;

/// <summary>
/// <c>[advanced] target_wait_replicas</c>: tracks the offset up to which the target's replicas hold every write
/// (<see cref="Value"/>), so the offset reported to the source never passes writes a target failover could lose. The
/// engine's stream loop sends a wave — one <c>WAIT replicas timeout</c> on the target connection (on every master of a
/// cluster target), behind the writes it covers — at most every <see cref="Interval"/> and one at a time; when every
/// WAIT of the wave counts enough replicas, <see cref="Value"/> moves to the offset the wave was sent at. A WAIT holds
/// back the writes behind it on its connection until the replicas answer (a round trip) or the timeout passes; after a
/// wave that fell short the next waits at least a second, so a replica that is down costs at most a timeout a second.
/// </summary>
public sealed class ReplicaWait
{
    private static readonly TimeSpan ShortfallPause = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly EngineStatistics _statistics;
    private readonly ILogger _logger;
    private long _value;
    private long _waveOffset;
    private int _partsLeft;
    private bool _waveShort;
    private long _waveLowest;
    private DateTime _nextAt;
    private bool _falling;
    private TaskCompletionSource? _waveDone;

    /// <summary>
    /// Waits for <paramref name="replicas"/> replicas, each WAIT for at most <paramref name="timeout"/>; <paramref name="initial"/>
    /// is the offset known to be on the replicas already (-1: none yet).
    /// </summary>
    public ReplicaWait(int replicas, TimeSpan timeout, TimeSpan interval, long initial, EngineStatistics statistics, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        Replicas = replicas;
        Timeout = timeout;
        Interval = interval;
        _value = initial;
        _statistics = statistics;
        _logger = logger;
        statistics.SetReplicatedOffset(initial);
    }

    /// <summary>Replicas every WAIT must count.</summary>
    public int Replicas { get; }

    /// <summary>The WAIT timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Least time between two waves.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The offset up to which the replicas hold every write (-1 before the first wave succeeded).</summary>
    public long Value
    {
        get { lock (_gate) return _value; }
    }

    /// <summary>The WAIT command of a wave.</summary>
    public string[] Command => ["WAIT", Replicas.ToString(CultureInfo.InvariantCulture), ((long)Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)];

    /// <summary>Whether a wave should go out now for writes up to <paramref name="offset"/> (none in flight, the interval passed, something new).</summary>
    public bool Due(long offset, DateTime now)
    {
        lock (_gate) return _partsLeft == 0 && now >= _nextAt && offset > _value;
    }

    /// <summary>Whether writes up to <paramref name="offset"/> still wait for a wave (whatever the time).</summary>
    public bool Wanted(long offset)
    {
        lock (_gate) return _partsLeft == 0 && offset > _value;
    }

    /// <summary>A wave of <paramref name="parts"/> WAITs covering the writes up to <paramref name="offset"/> is being sent.</summary>
    public void Begin(long offset, int parts)
    {
        lock (_gate)
        {
            _waveOffset = offset;
            _partsLeft = parts;
            _waveShort = parts == 0;
            _waveLowest = long.MaxValue;
            _waveDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (parts == 0) EndWave();
        }
    }

    /// <summary>One WAIT of the wave was answered: <paramref name="replicas"/> replicas acknowledged (-1 for an error or a resent WAIT, which proves nothing).</summary>
    public void Answered(long replicas)
    {
        lock (_gate)
        {
            if (_partsLeft == 0) return;
            if (replicas < Replicas) _waveShort = true;
            _waveLowest = Math.Min(_waveLowest, replicas);
            if (--_partsLeft == 0) EndWave();
        }
    }

    /// <summary>Completes when the wave in flight (if any) has been answered.</summary>
    public Task WhenIdleAsync()
    {
        lock (_gate) return _partsLeft == 0 || _waveDone is null ? Task.CompletedTask : _waveDone.Task;
    }

    private void EndWave()
    {
        var now = DateTime.UtcNow;
        if (!_waveShort)
        {
            if (_waveOffset > _value) _value = _waveOffset;
            _statistics.SetReplicatedOffset(_value);
            _nextAt = now + Interval;
            if (_falling) _logger.LogInformation("target replicas: {Replicas} replica(s) hold the writes again; the offset reported to the source moves on from {Offset}", Replicas, _value);
            _falling = false;
        }
        else
        {
            _nextAt = now + (Interval > ShortfallPause ? Interval : ShortfallPause);
            if (!_falling)
                _logger.LogWarning("target replicas: WAIT {Replicas} {Timeout} counted {Count}; the offset reported to the source stays at {Offset} until {Replicas} replica(s) hold the writes",
                    Replicas, (long)Timeout.TotalMilliseconds, _waveLowest < 0 ? "an error" : _waveLowest.ToString(CultureInfo.InvariantCulture), _value, Replicas);
            _falling = true;
        }
        _waveDone?.TrySetResult();
    }
}
