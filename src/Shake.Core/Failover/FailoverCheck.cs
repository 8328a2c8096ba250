using System.Globalization;
using Microsoft.Extensions.Logging;
using Shake.Core.Engine;
using Shake.Resp.Connections;

namespace Shake.Core.Failover;

/// <summary>
/// Runs before an engine asks a (possibly new) master to continue a history: reads the master's
/// <c>INFO replication</c>, works out whether it can continue (<see cref="ContinuationCheck"/>), and when its history
/// forks below what Shake already applied, logs the divergence — offset range, number of commands, their keys as far
/// as the <see cref="AppliedCommandLog"/> still holds them — and counts it in <see cref="EngineStatistics"/>.
/// </summary>
public static class FailoverCheck
{
    /// <summary>Most keys named in one divergence warning.</summary>
    public const int KeysNamed = 20;

    /// <summary>
    /// Checks <paramref name="source"/> against <paramref name="point"/>; returns null when the server's INFO could not
    /// be read (the PSYNC answer then speaks for itself).
    /// </summary>
    public static async Task<ContinuationVerdict?> BeforePsyncAsync(RedisConnection source, ResumePoint point, AppliedCommandLog? recent, EngineStatistics statistics, ILogger logger, CancellationToken cancellation)
    {
        ReplicationInfo info;
        try
        {
            var reply = await source.ExecuteAsync(["INFO", "replication"], cancellation);
            if (reply.IsError) return null;
            info = ReplicationInfo.Parse(reply.AsString() ?? "");
        }
        catch (IOException)
        {
            return null;
        }
        var verdict = ContinuationCheck.Evaluate(point.ReplicationId, point.Offset, info);
        if (verdict.Fork is not { } fork) return verdict;
        if (recent is not null && OnlyHarmless(recent, fork) is { } names)
        {
            var atFork = ContinuationCheck.Evaluate(point.ReplicationId, fork.First - 1, info);
            if (atFork.CanContinue)
            {
                logger.LogInformation("the history of the new master {Master} forks at offset {First}, below what Shake applied ({Last}), but past the fork Shake applied only {Commands}, which change no data: continuing after offset {Offset} instead",
                    source.Endpoint.ToString(), fork.First, fork.Last, names, fork.First - 1);
                return atFork with { ContinueAfter = fork.First - 1 };
            }
        }
        ReportDivergence(source.Endpoint.ToString(), fork, recent, statistics, logger);
        return verdict;
    }

    // Commands that change no data: the old master's stream past the fork may hold the hello messages sentinels publish
    // through it. PINGs and REPLCONFs are not recorded (they are never forwarded).
    private static readonly HashSet<string> Harmless = new(StringComparer.Ordinal) { "PUBLISH", "SPUBLISH", "PING" };

    // "3 × PUBLISH" when every command the log holds for the range is harmless and the log covers the whole range; else null.
    private static string? OnlyHarmless(AppliedCommandLog recent, ForkRange fork)
    {
        var (commands, complete) = recent.Within(fork);
        if (!complete || commands.Any(c => !c.Whole || !Harmless.Contains(c.Name))) return null;
        return commands.Count == 0 ? "PINGs and sentinel hello messages"
            : string.Join(", ", commands.GroupBy(c => c.Name).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} × {g.Key}")));
    }

    /// <summary>Logs and counts a divergence: the commands Shake applied in <paramref name="fork"/> that the new master never had.</summary>
    public static void ReportDivergence(string master, ForkRange fork, AppliedCommandLog? recent, EngineStatistics statistics, ILogger logger)
    {
        var ic = CultureInfo.InvariantCulture;
        if (recent is null)
        {
            statistics.Diverged(0);
            logger.LogWarning("divergence: the history of the new master {Master} forks at offset {First}, below what Shake applied ({Last}): bytes {First}..{Last} ({Bytes} bytes) came from the old master only and were applied to the target, which Shake cannot take back (no command log kept, so their commands are not known)",
                master, fork.First, fork.Last, fork.First, fork.Last, fork.Length);
            return;
        }
        var (commands, complete) = recent.Within(fork);
        statistics.Diverged(commands.Count);
        var keys = commands.SelectMany(c => c.Keys.Select(k => c.Db == 0 ? k : string.Create(ic, $"{k} (db {c.Db})"))).Distinct().ToList();
        var named = (keys.Count == 0 ? "none" : string.Join(", ", keys.Take(KeysNamed)) + (keys.Count > KeysNamed ? string.Create(ic, $" and {keys.Count - KeysNamed} more") : ""))
            + " (" + string.Join(", ", commands.GroupBy(c => c.Name).Select(g => string.Create(ic, $"{g.Count()} × {g.Key}"))) + ")";
        var partial = commands.Any(c => !c.Whole) ? "; some commands were longer than the log keeps, so their later keys are missing" : "";
        var forgotten = complete ? "" : string.Create(ic, $"; the log keeps the last {recent.Capacity} commands, so earlier commands of the range are not counted");
        logger.LogWarning("divergence: the history of the new master {Master} forks at offset {First}, below what Shake applied ({Last}): {Count} commands (bytes {First}..{Last}) came from the old master only and were applied to the target, which Shake cannot take back; their keys: {Keys}{Partial}{Forgotten}",
            master, fork.First, fork.Last, commands.Count, fork.First, fork.Last, named, partial, forgotten);
    }
}
