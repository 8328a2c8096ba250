using System.Globalization;

namespace Shake.Core.Engine;

/// <summary>Formats the periodic status line (phase, RDB progress, keys, ops/s, offsets, lag, spool) in the spirit of redis-shake's.</summary>
public static class StatusLine
{
    /// <summary>Formats <paramref name="now"/>, computing rates against <paramref name="previous"/> when given.</summary>
    public static string Format(EngineSnapshot now, EngineSnapshot? previous)
    {
        var seconds = previous is null ? 0 : (now.TakenAt - previous.TakenAt).TotalSeconds;
        double Rate(long current, long before) => seconds > 0 ? (current - before) / seconds : 0;
        var keysRate = previous is null ? 0 : Rate(now.KeysWritten, previous.KeysWritten);
        var opsRate = previous is null ? 0 : Rate(now.CommandsForwarded, previous.CommandsForwarded);
        var ic = CultureInfo.InvariantCulture;
        var phase = now.Phase switch
        {
            EnginePhase.FullSync => "syncing rdb",
            EnginePhase.Incremental => "syncing aof",
            EnginePhase.WaitingForRdb => "waiting for rdb",
            _ => now.Phase.ToString().ToLowerInvariant(),
        };
        var rdb = now.RdbBytesTotal > 0
            ? string.Create(ic, $"rdb={Bytes(now.RdbBytesReceived)}/{Bytes(now.RdbBytesTotal)} ({100.0 * now.RdbBytesReceived / now.RdbBytesTotal:F1}%)")
            : $"rdb={Bytes(now.RdbBytesReceived)}";
        var skipped = now.KeysSkippedExpired + now.KeysSkippedExisting;
        return string.Create(ic,
            $"[{phase}] {rdb}, keys={now.KeysWritten} ({keysRate:F0}/s), skipped={skipped}, failed={now.KeysFailed}, " +
            $"ops={now.CommandsForwarded} ({opsRate:F0}/s), offset={now.ConfirmedOffset}/{now.ReceivedOffset}, lag={Bytes(now.Lag)}, " +
            $"spool={Bytes(now.SpoolMemoryBytes)} mem + {Bytes(now.SpoolDiskBytes)} disk{Failover(now)}");
    }

    // Shown only when they apply: the offset the target's replicas hold (target_wait_replicas), divergences after source failovers.
    private static string Failover(EngineSnapshot now)
    {
        var ic = CultureInfo.InvariantCulture;
        var replicated = now.ReplicatedOffset >= 0 ? string.Create(ic, $", replicated={now.ReplicatedOffset}") : "";
        var diverged = now.Divergences > 0 ? string.Create(ic, $", diverged={now.DivergentCommands} cmds in {now.Divergences} failover(s)") : "";
        return replicated + diverged;
    }

    /// <summary>Human-readable byte count (B, KiB, MiB, GiB).</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes}B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1}KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1}MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):F2}GiB"),
    };
}
