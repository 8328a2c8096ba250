using Microsoft.Extensions.Logging;

namespace Shake.Core.Engine;

/// <summary>
/// Runs one <see cref="SyncEngine"/> and starts it again, with backoff, when it stops on an error a new attempt can
/// mend: the source or the target dropped, stalled past a timeout or refused connections for a while. Each restart
/// asks the source to continue where the target stands when the engine knows that point exactly
/// (<see cref="SyncEngine.StoppedAt"/>: the source failed during the stream while the target was fine), and does a
/// full sync otherwise. Errors a restart would repeat (configuration, credentials, certificates, the spool's disk,
/// an existing key under <c>panic</c>) end the run at once; so does a failure of the first run before replication
/// began (a wrong address is reported, not retried) and a streak of failures longer than <see cref="GiveUpAfter"/>.
/// </summary>
public sealed class EngineSupervisor
{
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private volatile SyncEngine? _current;

    /// <summary>Supervises engines built from <paramref name="options"/> (sync mode).</summary>
    public EngineSupervisor(EngineOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
    }

    /// <summary>First delay before a failed engine is started again; it doubles up to <see cref="MaxRestartDelay"/>.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two attempts; a run that lasted longer than this ends a failure streak.</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long failures may follow each other (no run lasting <see cref="MaxRestartDelay"/>) before the last error is thrown.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The engine running now (a new one after each restart), for status output and tests.</summary>
    public SyncEngine? Current => _current;

    /// <summary>How many times an engine was started again after an error.</summary>
    public int Restarts { get; private set; }

    /// <summary>
    /// Runs until an engine finishes (<c>sync_aof = false</c>), <paramref name="cancellation"/> is cancelled (a clean
    /// stop), or an error that a restart cannot mend (thrown, naming the cause).
    /// </summary>
    public async Task<EngineSummary> RunAsync(CancellationToken cancellation)
    {
        var delay = RestartDelay;
        ResumePoint? stoppedAt = null;
        DateTime? failingSince = null;
        var everReplicated = false;
        while (true)
        {
            var engine = new SyncEngine(stoppedAt is null ? _options : _options with { ContinueFrom = stoppedAt }, _logger);
            _current = engine;
            var started = DateTime.UtcNow;
            try
            {
                return await engine.RunAsync(cancellation);
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested && !EngineFailures.IsFatal(e) && (everReplicated || engine.Replicated))
            {
                everReplicated = true;
                var now = DateTime.UtcNow;
                if (now - started > MaxRestartDelay)
                {
                    failingSince = null;
                    delay = RestartDelay;
                }
                failingSince ??= started;
                if (now - failingSince > GiveUpAfter)
                    throw new IOException($"giving up after {Restarts + 1} attempts in {(now - failingSince.Value).TotalMinutes:F1} min without a run lasting {MaxRestartDelay.TotalSeconds:F0} s; the last one stopped: {e.Message}", e);
                stoppedAt = engine.StoppedAt;
                var next = stoppedAt is { } point
                    ? $"asking the source to continue {point.ReplicationId} after offset {point.Offset}"
                    : "with a full sync" + (_options.EmptyDbBeforeSync ? "" : " (keys deleted on the source meanwhile stay on the target unless empty_db_before_sync = true)");
                _logger.LogError("the sync stopped: {Error}; restarting in {Delay} s {Next}", e.Message, delay.TotalSeconds, next);
            }
            try
            {
                await Task.Delay(delay, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting to restart: nothing is in flight, the last engine's figures are the run's.
                return new EngineSummary(engine.Statistics.Snapshot(), DateTime.UtcNow - started) { FirstFailedKeys = engine.Statistics.FailedKeys.First };
            }
            Restarts++;
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
        }
    }
}
