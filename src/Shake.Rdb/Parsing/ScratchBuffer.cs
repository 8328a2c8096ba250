using System.Buffers;

namespace Shake.Rdb.Parsing;

/// <summary>
/// A reusable pooled byte buffer for values that cannot be handed out as a slice of the input (integer-encoded or
/// LZF strings, strings split across segments). Grows on demand; contents are valid until the next <see cref="Get"/>.
/// </summary>
internal sealed class ScratchBuffer : IDisposable
{
    private byte[] _buffer = [];

    /// <summary>A span of exactly <paramref name="length"/> bytes (previous contents are not preserved).</summary>
    public Span<byte> Get(int length)
    {
        if (_buffer.Length < length)
        {
            if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 256));
        }
        return _buffer.AsSpan(0, length);
    }

    public void Dispose()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
