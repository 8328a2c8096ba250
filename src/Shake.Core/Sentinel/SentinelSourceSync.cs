using Microsoft.Extensions.Logging;
using Shake.Core.Engine;
using Shake.Core.Failover;

namespace Shake.Core.Sentinel;

/// <summary>
/// Follows a standalone source that Redis Sentinel manages: asks the sentinels for the master, runs a
/// <see cref="SyncEngine"/> against it, and when the source goes away (killed, or demoted by a sentinel failover) asks
/// the sentinels again and has the next engine ask the master they name now to continue where the target stands
/// (<see cref="EngineOptions.ContinueFrom"/>: <c>PSYNC &lt;replid&gt; &lt;applied offset + 1&gt;</c>). A promoted
/// replica answers <c>+CONTINUE</c>, so the stream goes on without a full sync; otherwise the engine logs why and syncs
/// in full. Engines are restarted with backoff; errors a restart would repeat end the run.
/// </summary>
public sealed class SentinelSourceSync
{
    private readonly EngineOptions _template;
    private readonly SentinelMasterLocator _locator;
    private readonly ILogger _logger;
    private volatile SyncEngine? _engine;

    /// <summary><paramref name="template"/> holds everything but the source address, which the sentinels name.</summary>
    public SentinelSourceSync(EngineOptions template, SentinelMasterLocator locator, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(template.Source);
        _template = template;
        _locator = locator;
        _logger = logger;
    }

    /// <summary>First delay before the sentinels are asked again after the source was lost; it doubles up to <see cref="MaxRestartDelay"/>.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two attempts (short: asking a sentinel and trying a dead master cost little, and a sentinel failover ends at a moment nobody announces).</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The engine running now (null before the first one started), for status output and tests.</summary>
    public SyncEngine? Engine => _engine;

    /// <summary>The master the current engine replicates from.</summary>
    public string? Master { get; private set; }

    /// <summary>
    /// Runs until cancelled (a clean stop), until done (<c>sync_aof = false</c>), or until an error a restart cannot
    /// mend (thrown). The sentinels must answer the first time; later they are asked again until they do.
    /// </summary>
    public async Task<EngineSummary> RunAsync(CancellationToken cancellation)
    {
        var recent = _template.RecentCommands ?? new AppliedCommandLog();
        ResumePoint? stoppedAt = _template.ContinueFrom;
        var delay = RestartDelay;
        var first = true;
        while (true)
        {
            string master;
            try
            {
                master = await _locator.LocateAsync(cancellation);
            }
            catch (SentinelException e) when (!first)
            {
                _logger.LogWarning("{Error}; asking again in {Delay}s", e.Message, delay.TotalSeconds);
                await Task.Delay(delay, cancellation);
                delay = Longer(delay);
                continue;
            }
            if (master != Master)
                _logger.LogInformation("sentinel ({Sentinels}): master '{Name}' is {Master}", _locator.Sentinels, _locator.MasterName, master);
            Master = master;
            first = false;
            var engine = new SyncEngine(_template with
            {
                Source = _template.Source! with { Address = master },
                RecentCommands = recent,
                ContinueFrom = stoppedAt,
            }, _logger);
            _engine = engine;
            var started = DateTime.UtcNow;
            try
            {
                return await engine.RunAsync(cancellation);
            }
            catch (Exception e) when (!EngineFailures.IsFatal(e) && !cancellation.IsCancellationRequested)
            {
                // Where the target stands in the source's history; kept through attempts that failed before doing anything.
                stoppedAt = engine.StoppedAt;
                if (DateTime.UtcNow - started > MaxRestartDelay) delay = RestartDelay;
                _logger.LogError("the source {Master} was lost: {Error}; asking the sentinels for the master again in {Delay}s{Continue}", master, e.Message, delay.TotalSeconds,
                    stoppedAt is null ? " (a full sync follows)" : $", to continue {stoppedAt.ReplicationId} after offset {stoppedAt.Offset}");
            }
            await Task.Delay(delay, cancellation);
            delay = Longer(delay);
        }
    }

    private TimeSpan Longer(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
}
