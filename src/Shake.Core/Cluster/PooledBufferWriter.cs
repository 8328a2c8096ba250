using System.Buffers;

namespace Shake.Core.Cluster;

/// <summary>
/// Encodes one command into a pooled array that the caller then owns (<see cref="Detach"/>), so a request can be kept
/// for resending without a garbage-collected copy per command.
/// </summary>
internal sealed class PooledBufferWriter(RequestBufferPool pool) : IBufferWriter<byte>
{
    private byte[] _buffer = pool.Rent(RequestBufferPool.SmallLength);
    private int _written;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Hands the written bytes over (the array is pooled: give it back to the pool) and starts afresh.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var result = (_buffer, _written);
        _buffer = pool.Rent(RequestBufferPool.SmallLength);
        _written = 0;
        return result;
    }

    private void Ensure(int sizeHint)
    {
        var need = _written + Math.Max(sizeHint, 1);
        if (need <= _buffer.Length) return;
        var bigger = pool.Rent(Math.Max(need, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        pool.Return(_buffer);
        _buffer = bigger;
    }
}
