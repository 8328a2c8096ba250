using Shake.Core.Engine;
using Spectre.Console;

namespace Shake.Host.Running.Terminal;

/// <summary>One engine the view follows: its label (empty for a single engine, <c>shard N</c> in a cluster) and counters.</summary>
/// <param name="Label">How the engine's row is named.</param>
/// <param name="Statistics">The engine's live counters.</param>
public readonly record struct WatchedEngine(string Label, EngineStatistics Statistics);

/// <summary>
/// The live view of a run in a terminal: one row per engine with its phase, an RDB bar (bytes/total, percentage, ETA),
/// keys and keys/s, commands/s and lag, refreshed four times a second. Log lines written through
/// <see cref="LogWriter"/> appear above it. The last state stays on screen when the run ends.
/// </summary>
public sealed class TerminalProgressView
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);
    private readonly IAnsiConsole _console;

    /// <summary>A view drawing on <paramref name="terminal"/>, which must be a terminal (see <see cref="ConsoleKind"/>).</summary>
    public TerminalProgressView(TextWriter terminal)
    {
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(terminal),
        });
        LogWriter = new ConsoleLineWriter(_console);
    }

    /// <summary>Where log lines go while the view runs: printed above the live rows.</summary>
    public TextWriter LogWriter { get; }

    /// <summary>Shows the engines <paramref name="engines"/> lists (asked again at every refresh) while <paramref name="run"/> runs.</summary>
    public async Task<T> ShowWhileAsync<T>(Func<IReadOnlyList<WatchedEngine>> engines, Func<Task<T>> run)
    {
        using var done = new CancellationTokenSource();
        var view = DrawAsync(engines, done.Token);
        try
        {
            return await run();
        }
        finally
        {
            await done.CancelAsync();
            await view;
        }
    }

    private Task DrawAsync(Func<IReadOnlyList<WatchedEngine>> engines, CancellationToken done) =>
        _console.Progress()
            .AutoClear(false)
            .AutoRefresh(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new EngineFiguresColumn())
            .StartAsync(async context =>
            {
                var rows = new Dictionary<EngineStatistics, (ProgressTask Task, EngineFigures Figures, string Label)>(ReferenceEqualityComparer.Instance);
                while (true)
                {
                    Update(context, rows, engines());
                    if (done.IsCancellationRequested) return;
                    try
                    {
                        await Task.Delay(Refresh, done);
                    }
                    catch (OperationCanceledException)
                    {
                        // One last update shows the final counters.
                    }
                }
            });

    private static void Update(ProgressContext context, Dictionary<EngineStatistics, (ProgressTask Task, EngineFigures Figures, string Label)> rows, IReadOnlyList<WatchedEngine> engines)
    {
        foreach (var engine in engines)
        {
            if (!rows.ContainsKey(engine.Statistics))
                rows[engine.Statistics] = (context.AddTask(Markup.Escape(Title(engine.Label, "starting")), maxValue: 1), new EngineFigures(engine.Statistics), engine.Label);
        }
        foreach (var (statistics, row) in rows)
        {
            var reading = row.Figures.Read();
            var gone = !engines.Any(e => ReferenceEquals(e.Statistics, statistics));
            Show(row.Task, row.Label, reading, gone);
        }
    }

    private static void Show(ProgressTask task, string label, EngineReading reading, bool gone)
    {
        task.State.Update<EngineReading>(EngineFiguresColumn.ReadingKey, _ => reading);
        var phase = gone ? "ended" : PhaseName(reading.Phase);
        task.Description = Markup.Escape(Title(label, phase));
        if (reading.RdbDone)
        {
            task.IsIndeterminate = false;
            task.MaxValue = Math.Max(1, reading.RdbBytes);
            task.Value = task.MaxValue;
        }
        else if (reading.Phase == EnginePhase.FullSync && reading.RdbTotal > 0)
        {
            task.IsIndeterminate = false;
            task.MaxValue = reading.RdbTotal;
            task.Value = Math.Min(reading.RdbBytes, reading.RdbTotal);
        }
        else
        {
            // Size not known yet (handshake, waiting for the source's snapshot) or not at all (diskless transfer).
            task.IsIndeterminate = true;
        }
    }

    private static string Title(string label, string phase) => label.Length == 0 ? phase : $"[{label}] {phase}";

    private static string PhaseName(EnginePhase phase) => phase switch
    {
        EnginePhase.Starting => "starting",
        EnginePhase.Handshake => "handshake",
        EnginePhase.WaitingForRdb => "waiting for rdb",
        EnginePhase.FullSync => "syncing rdb",
        EnginePhase.Incremental => "syncing aof",
        EnginePhase.Stopping => "stopping",
        _ => "stopped",
    };
}
