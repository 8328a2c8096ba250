using Shake.Core.Engine;

namespace Shake.Host.Running.Terminal;

/// <summary>
/// What the terminal view shows of one engine, read from its <see cref="EngineStatistics"/>. The only place the view
/// touches the engine's counters, so a change of the statistics API stays here.
/// </summary>
public sealed class EngineFigures(EngineStatistics statistics)
{
    // Rates are measured over at least this long: the view refreshes faster than counters move smoothly.
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);

    private EngineSnapshot? _rateBase;
    private EngineReading _last;

    /// <summary>Reads the counters now; rates compare against a reading at least a second old.</summary>
    public EngineReading Read()
    {
        var now = statistics.Snapshot();
        if (_rateBase is null)
        {
            _rateBase = now;
            return _last = Reading(now, 0, 0, 0);
        }
        var seconds = (now.TakenAt - _rateBase.TakenAt).TotalSeconds;
        if (seconds < RateWindow.TotalSeconds) return _last = Reading(now, _last.KeysPerSecond, _last.CommandsPerSecond, _last.RdbBytesPerSecond);
        var reading = Reading(now,
            (now.KeysApplied - _rateBase.KeysApplied) / seconds,
            (now.CommandsForwarded - _rateBase.CommandsForwarded) / seconds,
            (now.RdbBytesReceived - _rateBase.RdbBytesReceived) / seconds);
        _rateBase = now;
        return _last = reading;
    }

    private static EngineReading Reading(EngineSnapshot s, double keysPerSecond, double commandsPerSecond, double rdbBytesPerSecond) => new(
        s.Phase, s.RdbBytesReceived, s.RdbBytesTotal, rdbBytesPerSecond, s.KeysApplied, keysPerSecond, s.KeysFailed,
        s.CommandsForwarded, commandsPerSecond, s.Lag);
}

/// <summary>One reading of an engine for the terminal view.</summary>
/// <param name="Phase">What the engine is doing.</param>
/// <param name="RdbBytes">RDB bytes received (or read from the file).</param>
/// <param name="RdbTotal">RDB size when known (disk transfer, file), else -1.</param>
/// <param name="RdbBytesPerSecond">RDB bytes per second over the last second or so.</param>
/// <param name="Keys">Keys the target confirmed.</param>
/// <param name="KeysPerSecond">Keys confirmed per second over the last second or so.</param>
/// <param name="KeysFailed">Keys the target refused or no path could serve.</param>
/// <param name="Commands">Stream commands the target confirmed.</param>
/// <param name="CommandsPerSecond">Stream commands confirmed per second over the last second or so.</param>
/// <param name="LagBytes">Bytes received from the source and not yet confirmed by the target.</param>
public readonly record struct EngineReading(
    EnginePhase Phase,
    long RdbBytes,
    long RdbTotal,
    double RdbBytesPerSecond,
    long Keys,
    double KeysPerSecond,
    long KeysFailed,
    long Commands,
    double CommandsPerSecond,
    long LagBytes)
{
    /// <summary>Time left until the RDB is read, from the recent rate; null while unknown (size or rate not known, RDB done).</summary>
    public TimeSpan? RdbEta => Phase == EnginePhase.FullSync && RdbTotal > 0 && RdbBytesPerSecond > 0 && RdbBytes < RdbTotal
        ? TimeSpan.FromSeconds(Math.Min((RdbTotal - RdbBytes) / RdbBytesPerSecond, TimeSpan.FromDays(99).TotalSeconds))
        : null;

    /// <summary>Whether the snapshot part is over (the engine streams commands, or stops).</summary>
    public bool RdbDone => Phase is EnginePhase.Incremental or EnginePhase.Stopping or EnginePhase.Stopped;
}
