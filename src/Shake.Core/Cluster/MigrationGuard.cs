using System.Text;

namespace Shake.Core.Cluster;

/// <summary>
/// Keeps a slot migration on a cluster source from deleting keys on the target. <c>MIGRATE</c> reaches Shake as a
/// <c>RESTORE-ASKING</c> in the new owner's stream and a <c>DEL</c> in the old owner's, handled by two engines with no
/// order between them; applying the DEL after the RESTORE would lose the key. So the engine that sees the
/// RESTORE-ASKING records the key here (and applies it with REPLACE), and a DEL of that key from any other engine is
/// dropped as the migration's own. A DEL that comes first deletes the old copy and the RESTORE brings the key back.
/// Until then, other commands of the old owner's stream on that key are dropped too: they are older than the migrated
/// copy and would land after it. A record lives until its DEL arrives or <see cref="Window"/> passes. One guard is shared by the engines of a process.
/// </summary>
public sealed class MigrationGuard
{
    private readonly Lock _gate = new();

    /// <summary>
    /// Held while an engine decides about a key and hands the result to its writer, so that another engine's decision
    /// about the same key comes wholly before or after.
    /// </summary>
    internal Lock Gate => _gate;
    private readonly Dictionary<string, (int Shard, long At)> _restored = new(StringComparer.Ordinal);
    private long _lastPrune = Environment.TickCount64;
    private long _deletesDropped;

    private readonly List<Writers.ITargetWriter> _writers = [];

    /// <summary>An engine's writer takes part in <see cref="FenceAsync"/> from now on.</summary>
    public void Join(Writers.ITargetWriter writer)
    {
        lock (_gate) _writers.Add(writer);
    }

    /// <summary>Joins <paramref name="writer"/> until the returned value is disposed.</summary>
    public IDisposable Member(Writers.ITargetWriter writer)
    {
        Join(writer);
        return new Membership(this, writer);
    }

    private sealed class Membership(MigrationGuard guard, Writers.ITargetWriter writer) : IDisposable
    {
        public void Dispose() => guard.Leave(writer);
    }

    /// <summary>The writer is gone (its engine stopped).</summary>
    public void Leave(Writers.ITargetWriter writer)
    {
        lock (_gate) _writers.Remove(writer);
    }

    /// <summary>
    /// Completes once everything the other engines' writers were handed so far has been applied on the target: an engine
    /// that recorded a migrated key waits for this before it writes the key, so an older DEL from the old owner, decided
    /// before the record existed, cannot land after the migrated copy.
    /// </summary>
    public Task FenceAsync(Writers.ITargetWriter self, CancellationToken cancellation)
    {
        Writers.ITargetWriter[] others;
        lock (_gate) others = [.. _writers.Where(w => !ReferenceEquals(w, self))];
        return Task.WhenAll(others.Select(w => w.WhenWrittenConfirmedAsync(cancellation)));
    }

    /// <summary>How long a migrated key waits for the old owner's DEL.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>DELs dropped because they belonged to a migration.</summary>
    public long DeletesDropped => Interlocked.Read(ref _deletesDropped);

    /// <summary>The engine of <paramref name="shard"/> saw <c>RESTORE-ASKING</c> of <paramref name="key"/>: the key moved into its shard.</summary>
    public void Restored(ReadOnlySpan<byte> key, int shard)
    {
        var now = Environment.TickCount64;
        lock (_gate)
        {
            _restored[Encoding.Latin1.GetString(key)] = (shard, now);
            Prune(now);
            Volatile.Write(ref _count, _restored.Count);
        }
    }

    /// <summary>True when a DEL of <paramref name="key"/> by the engine of <paramref name="shard"/> is the other half of a migration and must be dropped.</summary>
    public bool IsMigrationDelete(ReadOnlySpan<byte> key, int shard)
    {
        lock (_gate)
        {
            if (_restored.Count == 0) return false;
            var name = Encoding.Latin1.GetString(key);
            if (!_restored.TryGetValue(name, out var record) || record.Shard == shard) return false;
            _restored.Remove(name);
            Volatile.Write(ref _count, _restored.Count);
            if (Environment.TickCount64 - record.At > Window.TotalMilliseconds) return false;
        }
        Interlocked.Increment(ref _deletesDropped);
        return true;
    }

    /// <summary>True while some key migrated recently (cheap: read before every stream command of a cluster source).</summary>
    public bool Active => Volatile.Read(ref _count) > 0;

    /// <summary>
    /// True when <paramref name="key"/> moved into another shard than <paramref name="shard"/> by a migration whose
    /// RESTORE was already applied: a command of this shard's older stream on it would land after the migrated copy.
    /// </summary>
    public bool MovedAway(ReadOnlySpan<byte> key, int shard)
    {
        lock (_gate)
        {
            return _restored.TryGetValue(Encoding.Latin1.GetString(key), out var record) && record.Shard != shard
                && Environment.TickCount64 - record.At <= Window.TotalMilliseconds;
        }
    }

    private int _count;

    private void Prune(long now)
    {
        if (now - _lastPrune < 10_000) return;
        _lastPrune = now;
        var limit = (long)Window.TotalMilliseconds;
        foreach (var stale in _restored.Where(r => now - r.Value.At > limit).Select(r => r.Key).ToList()) _restored.Remove(stale);
        Volatile.Write(ref _count, _restored.Count);
    }
}
