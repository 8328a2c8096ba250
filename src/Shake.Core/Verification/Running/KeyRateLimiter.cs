using System.Diagnostics;

namespace Shake.Core.Verification.Running;

/// <summary>Spaces batches of keys so that no more than <see cref="KeysPerSecond"/> are read on average.</summary>
public sealed class KeyRateLimiter(int keysPerSecond)
{
    private readonly Lock _lock = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private double _nextSeconds;

    /// <summary>The limit.</summary>
    public int KeysPerSecond { get; } = keysPerSecond;

    /// <summary>Waits until <paramref name="keys"/> more keys may be read.</summary>
    public Task WaitAsync(int keys, CancellationToken cancellation)
    {
        double wait;
        lock (_lock)
        {
            var now = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            var at = Math.Max(now, _nextSeconds);
            _nextSeconds = at + (double)keys / KeysPerSecond;
            wait = at - now;
        }
        return wait <= 0.001 ? Task.CompletedTask : Task.Delay(TimeSpan.FromSeconds(wait), cancellation);
    }
}
