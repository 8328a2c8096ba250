namespace Shake.Core.Writers;

/// <summary>
/// Copies of the keys of RESTOREs in flight, in one reused buffer. A key must outlive the parser's buffers until its
/// reply is in (an error names it, and a write queued behind a full window is encoded later), and replies come back
/// in request order, so the copies are freed in the order they were made: a ring, without a pool's per-key cost.
/// </summary>
/// <remarks>One producer (the thread writing entries) and one consumer (the thread handling replies).</remarks>
internal sealed class KeyRing
{
    private readonly byte[] _buffer;
    // Positions count from 1, so a ring position (KeyRingEnd of a tag) is never 0, which means "not in the ring".
    private long _allocated = 1;
    private long _released = 1;

    public KeyRing(int capacity) => _buffer = new byte[capacity];

    /// <summary>The buffer the copies live in.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>
    /// Copies <paramref name="key"/> into the ring: false when it does not fit now (the caller copies it elsewhere).
    /// <paramref name="end"/> is what <see cref="Release"/> takes once the key's reply has been handled.
    /// </summary>
    public bool TryCopy(ReadOnlySpan<byte> key, out int offset, out long end)
    {
        var capacity = _buffer.Length;
        if (key.Length > capacity / 4)
        {
            // A very long key would hold up the ring; it takes a pooled copy.
            offset = 0;
            end = 0;
            return false;
        }
        var start = _allocated;
        offset = (int)(start % capacity);
        if (offset + key.Length > capacity)
        {
            // A copy never wraps: skip the rest of the buffer, freed along with this key.
            start += capacity - offset;
            offset = 0;
        }
        end = start + key.Length;
        if (end - Volatile.Read(ref _released) > capacity) return false;
        key.CopyTo(_buffer.AsSpan(offset));
        _allocated = end;
        return true;
    }

    /// <summary>Frees every copy up to <paramref name="end"/> (copies are released in the order they were made).</summary>
    public void Release(long end) => Volatile.Write(ref _released, end);
}
