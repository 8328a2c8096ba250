using System.Buffers;

namespace Shake.Core.Cluster;

/// <summary>
/// Buffers for a writer's encoded requests. A request's buffer is taken on the producer's thread and given back on the
/// thread that read its reply, thousands in flight: the shared array pool keeps only a few dozen arrays per size and
/// core, so past that every request made garbage (about 300 bytes a key, which grew the heap by tens of megabytes per
/// engine during a full sync). Small buffers, the common case, are kept here instead; larger ones use the shared pool.
/// Thread-safe.
/// </summary>
internal sealed class RequestBufferPool
{
    /// <summary>Length of the buffers kept here: a RESTORE or SET of a typical small key fits.</summary>
    public const int SmallLength = 512;

    private readonly Lock _gate = new();
    private readonly Stack<byte[]> _free = new();
    private readonly int _maxKept;

    /// <summary>Creates a pool that keeps at most <paramref name="maxKept"/> small buffers.</summary>
    public RequestBufferPool(int maxKept) => _maxKept = maxKept;

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes.</summary>
    public byte[] Rent(int minimumLength)
    {
        if (minimumLength > SmallLength) return ArrayPool<byte>.Shared.Rent(minimumLength);
        lock (_gate)
        {
            if (_free.TryPop(out var buffer)) return buffer;
        }
        return new byte[SmallLength];
    }

    /// <summary>Gives <paramref name="buffer"/> back; the caller no longer uses it.</summary>
    public void Return(byte[] buffer)
    {
        if (buffer.Length != SmallLength)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }
        lock (_gate)
        {
            if (_free.Count < _maxKept) _free.Push(buffer);
        }
    }
}
