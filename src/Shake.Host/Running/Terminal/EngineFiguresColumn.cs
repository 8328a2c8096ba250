using System.Globalization;
using Shake.Core.Engine;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Shake.Host.Running.Terminal;

/// <summary>
/// The figures after an engine's bar: RDB bytes/total, percentage and ETA while the snapshot is read, then keys,
/// keys/s, commands/s and lag. Reads the <see cref="EngineReading"/> the view stores in the task's state.
/// </summary>
public sealed class EngineFiguresColumn : ProgressColumn
{
    /// <summary>The key of the task state holding the latest <see cref="EngineReading"/>.</summary>
    public const string ReadingKey = "reading";

    /// <inheritdoc />
    protected override bool NoWrap => true;

    /// <inheritdoc />
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(Describe(task.State.Get<EngineReading>(ReadingKey)));

    /// <summary>The text of the column for one reading, short enough for an 80-column terminal beside the bar.</summary>
    public static string Describe(EngineReading r)
    {
        var ic = CultureInfo.InvariantCulture;
        var keys = string.Create(ic, $"{r.Keys:N0} keys {r.KeysPerSecond:N0} keys/s");
        if (r.KeysFailed > 0) keys += string.Create(ic, $" {r.KeysFailed:N0} failed");
        var lag = $"lag {StatusLine.Bytes(r.LagBytes)}";
        if (r.RdbDone)
            return string.Create(ic, $"rdb {StatusLine.Bytes(r.RdbBytes)} done | {keys} | {r.CommandsPerSecond:N0} ops/s | {lag}");
        if (r.Phase != EnginePhase.FullSync) return $"{keys} | {lag}";
        var rdb = r.RdbTotal > 0
            ? string.Create(ic, $"{StatusLine.Bytes(r.RdbBytes)}/{StatusLine.Bytes(r.RdbTotal)} {100.0 * r.RdbBytes / r.RdbTotal:F0}% ETA {Eta(r.RdbEta)}")
            : $"{StatusLine.Bytes(r.RdbBytes)} of ? (diskless) ETA --:--";
        return $"{rdb} | {keys} | {lag}";
    }

    private static string Eta(TimeSpan? eta) => eta is { } t
        ? t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}") : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes:D2}:{t.Seconds:D2}")
        : "--:--";
}
