using Shake.Core.Writers;

namespace Shake.Core.Engine;

/// <summary>
/// The first keys a run failed to write (refused by the target, corrupt in the source, not convertible), kept so that
/// the run's end can name them; later failures are only counted. Thread-safe.
/// </summary>
public sealed class FailedKeyLog
{
    /// <summary>How many failed keys are remembered by name.</summary>
    public const int Capacity = 10;

    private readonly Lock _lock = new();
    private readonly List<string> _first = [];

    /// <summary>Records one failed key (the first <see cref="Capacity"/> by name, with the reason).</summary>
    public void Add(ReadOnlySpan<byte> key, int db, string reason)
    {
        lock (_lock)
        {
            if (_first.Count >= Capacity) return;
            _first.Add($"{KeyText.Format(key, 100)} (db {db}): {reason}");
        }
    }

    /// <summary>The first failed keys, each as <c>'key' (db n): reason</c>.</summary>
    public IReadOnlyList<string> First
    {
        get
        {
            lock (_lock) return [.. _first];
        }
    }
}
