using System.Diagnostics;
using System.Diagnostics.Metrics;
using Shake.Core.Engine;

namespace Shake.Core.Status;

/// <summary>
/// The engines' figures as <see cref="System.Diagnostics.Metrics"/> instruments on a <see cref="Meter"/> the caller owns:
/// counters for keys and commands, gauges for offsets, lag, spool and phase, each measurement tagged with the engine's
/// <c>shard</c> (lowest slot, or <c>all</c> for a single engine) and <c>source</c>. The figures are the ones the status
/// document shows: one reading of every engine serves every instrument of a collection.
/// </summary>
public sealed class EngineInstruments
{
    /// <summary>The meter name Shake's instruments are created under.</summary>
    public const string MeterName = "Shake";

    private static readonly TimeSpan ReadingLifetime = TimeSpan.FromMilliseconds(200);
    private static readonly EnginePhase[] Phases = Enum.GetValues<EnginePhase>();

    private readonly Func<IReadOnlyList<EngineStatus>> _read;
    private readonly Lock _gate = new();
    private IReadOnlyList<EngineStatus> _reading = [];
    private long _readAt;

    /// <summary>Creates every instrument on <paramref name="meter"/>; <paramref name="read"/> gives the engines' status now.</summary>
    public EngineInstruments(Meter meter, Func<IReadOnlyList<EngineStatus>> read)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _read = read;
        Counter(meter, "shake.keys.applied", "{key}", "Snapshot keys the target confirmed, in any form (restored + converted).", s => s.Keys.Applied);
        Counter(meter, "shake.keys.restored", "{key}", "Snapshot keys written as RESTORE, SET or MSET.", s => s.Keys.Restored);
        Counter(meter, "shake.keys.converted", "{key}", "Snapshot keys written as plain commands.", s => s.Keys.Converted);
        Counter(meter, "shake.keys.replaced", "{key}", "Snapshot keys written over an existing key (rewrite).", s => s.Keys.Replaced);
        Counter(meter, "shake.keys.skipped.expired", "{key}", "Snapshot keys not sent because their expiry had passed.", s => s.Keys.SkippedExpired);
        Counter(meter, "shake.keys.skipped.existing", "{key}", "Snapshot keys left alone because they existed on the target (skip).", s => s.Keys.SkippedExisting);
        Counter(meter, "shake.keys.failed", "{key}", "Snapshot keys the target refused or no path could serve.", s => s.Keys.Failed);
        Counter(meter, "shake.commands.forwarded", "{command}", "Stream commands the target confirmed.", s => s.Commands.Forwarded);
        Counter(meter, "shake.commands.failed", "{command}", "Stream commands the target answered with an error.", s => s.Commands.Failed);
        Counter(meter, "shake.commands.refused", "{command}", "Stream commands not sent (keys across slots of a cluster target, a db other than 0, a migrated key).", s => s.Commands.Refused);
        Counter(meter, "shake.filtered", "{item}", "Keys and commands the filters dropped.", s => s.Commands.Filtered);
        Gauge(meter, "shake.offset.source", "By", "The source's replication offset from its PSYNC answer.", s => s.Offsets.Source);
        Gauge(meter, "shake.offset.received", "By", "End of the stream bytes received from the source.", s => s.Offsets.Received);
        Gauge(meter, "shake.offset.sent", "By", "End of the stream bytes processed (forwarded, filtered or needing nothing).", s => s.Offsets.Sent);
        Gauge(meter, "shake.offset.applied", "By", "Every stream byte up to this offset is applied on the target.", s => s.Offsets.Applied);
        Gauge(meter, "shake.offset.acknowledged", "By", "Offset of the last REPLCONF ACK sent to the source.", s => s.Offsets.Acknowledged);
        Gauge(meter, "shake.lag.bytes", "By", "Stream bytes received but not yet applied on the target.", s => s.LagBytes);
        meter.CreateObservableGauge("shake.lag.seconds", () => Measure(s => s.LagMilliseconds / 1000.0), "s", "How long the oldest stream byte not yet applied has waited (during a full sync: time since PSYNC).");
        Gauge(meter, "shake.spool.memory.bytes", "By", "Source bytes waiting in memory.", s => s.SpoolMemoryBytes);
        Gauge(meter, "shake.spool.disk.bytes", "By", "Source bytes waiting on disk.", s => s.SpoolDiskBytes);
        Gauge(meter, "shake.target.nodes", "{node}", "Target servers written to (a cluster target: its masters).", s => s.TargetNodes.Count);
        meter.CreateObservableGauge("shake.engine.phase", MeasurePhases, "{engine}", "1 for the phase each engine is in, 0 for the others.");
        meter.CreateObservableGauge("shake.engines", () => new Measurement<long>(Current().Count), "{engine}", "Engines running in this process (one per source shard followed).");
    }

    /// <summary>The tags that name one engine in every measurement.</summary>
    public static KeyValuePair<string, object?>[] TagsOf(EngineStatus status) =>
    [
        new("shard", status.Shard?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"),
        new("source", status.Source),
    ];

    private void Counter(Meter meter, string name, string unit, string description, Func<EngineStatus, long> value) =>
        meter.CreateObservableCounter(name, () => Measure(value), unit, description);

    private void Gauge(Meter meter, string name, string unit, string description, Func<EngineStatus, long> value) =>
        meter.CreateObservableGauge(name, () => Measure(value), unit, description);

    private IEnumerable<Measurement<T>> Measure<T>(Func<EngineStatus, T> value) where T : struct =>
        [.. Current().Select(s => new Measurement<T>(value(s), TagsOf(s)))];

    private IEnumerable<Measurement<long>> MeasurePhases()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var status in Current())
        {
            var tags = TagsOf(status);
            foreach (var phase in Phases)
                measurements.Add(new Measurement<long>(status.Phase == phase ? 1 : 0, [.. tags, new("phase", PhaseName(phase))]));
        }
        return measurements;
    }

    /// <summary>The phase as it is written in the status document and the metrics (<c>full_sync</c>, <c>incremental</c>, ...).</summary>
    public static string PhaseName(EnginePhase phase) => phase switch
    {
        EnginePhase.Starting => "starting",
        EnginePhase.Handshake => "handshake",
        EnginePhase.WaitingForRdb => "waiting_for_rdb",
        EnginePhase.FullSync => "full_sync",
        EnginePhase.Incremental => "incremental",
        EnginePhase.Stopping => "stopping",
        EnginePhase.Stopped => "stopped",
        _ => phase.ToString().ToLowerInvariant(),
    };

    // One collection calls every instrument's callback in turn: they share one reading of the engines.
    private IReadOnlyList<EngineStatus> Current()
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            if (_readAt == 0 || Stopwatch.GetElapsedTime(_readAt, now) > ReadingLifetime)
            {
                _reading = _read();
                _readAt = now;
            }
            return _reading;
        }
    }
}
