using Microsoft.Extensions.Logging;
using Shake.Core.Engine;

namespace Shake.Core.Tests.Engine;

/// <summary>A SyncEngine running in the background of a test.</summary>
public sealed class EngineRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public EngineRun(EngineOptions options, ILogger logger)
    {
        Engine = new SyncEngine(options, logger);
        Task = System.Threading.Tasks.Task.Run(() => Engine.RunAsync(_stop.Token));
    }

    public SyncEngine Engine { get; }

    public Task<EngineSummary> Task { get; }

    public EngineSnapshot Snapshot => Engine.Statistics.Snapshot();

    /// <summary>Waits until <paramref name="condition"/> holds; fails with the engine's error or the last snapshot.</summary>
    public async Task WaitUntilAsync(Func<EngineSnapshot, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Task.IsFaulted) await Task;
            var snapshot = Snapshot;
            if (condition(snapshot)) return;
            if (Task.IsCompleted) throw new Xunit.Sdk.XunitException($"engine finished before {what}: {snapshot}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}: {snapshot}");
            await System.Threading.Tasks.Task.Delay(50);
        }
    }

    /// <summary>Waits until the engine streams and every received byte is confirmed.</summary>
    public Task WaitForZeroLagAsync(TimeSpan timeout, long atLeastOffset = 0) =>
        WaitUntilAsync(s => s.Phase == EnginePhase.Incremental && s.Lag == 0 && s.ConfirmedOffset >= atLeastOffset && s.ReceivedOffset >= atLeastOffset, timeout, "zero lag");

    public async Task<EngineSummary> StopAsync()
    {
        _stop.Cancel();
        return await Task;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await Task; } catch (Exception) { }
        _stop.Dispose();
    }
}
