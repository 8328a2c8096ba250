using System.Buffers.Binary;

namespace Shake.Rdb.Encodings;

/// <summary>
/// Reads the field/value pairs of a zipmap (the compact hash encoding of RDB versions before 4) from a blob holding exactly one zipmap.
/// </summary>
/// <remarks>
/// Layout: pair count (1 byte; 254 or more means unknown), then pairs of field length, field, value length, a "free" byte
/// counting unused bytes after the value, value, unused bytes; then 0xFF. A length is one byte below 254, or 254 and a u32 LE.
/// </remarks>
public ref struct ZipmapReader
{
    private const int UnknownCount = 254;
    private readonly ReadOnlySpan<byte> _blob;
    private readonly int _declaredCount;
    private int _position;
    private int _read;
    private bool _ended;

    /// <summary>Positions before the first pair of <paramref name="blob"/>.</summary>
    /// <exception cref="RdbFormatException">The blob is too short or does not end with 0xFF.</exception>
    public ZipmapReader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 2)
            throw new RdbFormatException($"zipmap of {blob.Length} bytes is shorter than its 2-byte minimum", 0);
        if (blob[^1] != 0xFF)
            throw new RdbFormatException("zipmap does not end with its 0xFF end marker", blob.Length - 1);
        _blob = blob;
        _declaredCount = blob[0];
        _position = 1;
        _read = 0;
        _ended = false;
    }

    /// <summary>Pairs returned so far.</summary>
    public readonly int ReadCount => _read;

    /// <summary>Offset in the blob of the next pair (or of the end marker).</summary>
    public readonly int Offset => _position;

    /// <summary>Reads the next pair; false at the end marker.</summary>
    /// <exception cref="RdbFormatException">A length runs past the blob, the end marker is misplaced, or the pair count differs from the header.</exception>
    public bool TryRead(out ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        field = default;
        value = default;
        if (_ended) return false;
        var start = _position;
        var limit = _blob.Length - 1;
        if (_blob[start] == 0xFF)
        {
            if (start != limit)
                throw new RdbFormatException("zipmap end marker comes before the end of the blob", start);
            if (_declaredCount < UnknownCount && _declaredCount != _read)
                throw new RdbFormatException($"zipmap header declares {_declaredCount} pairs but {_read} were found", start);
            _ended = true;
            return false;
        }
        var at = start;
        var fieldLength = ReadLength(ref at, limit, "field");
        field = Take(ref at, fieldLength, limit, "field");
        if (at >= limit)
            throw new RdbFormatException("zipmap value length runs past the end of the blob", at);
        var valueLength = ReadLength(ref at, limit, "value");
        if (at >= limit)
            throw new RdbFormatException("zipmap free-space byte runs past the end of the blob", at);
        var free = _blob[at++];
        value = Take(ref at, valueLength, limit, "value");
        if (at + free > limit)
            throw new RdbFormatException($"zipmap value's {free} free bytes run past the end of the blob", at);
        _position = at + free;
        _read++;
        return true;
    }

    private readonly long ReadLength(scoped ref int at, int limit, string what)
    {
        var first = _blob[at];
        if (first < 254)
        {
            at++;
            return first;
        }
        if (first == 255)
            throw new RdbFormatException($"zipmap {what} length is the end marker", at);
        if (at + 5 > limit)
            throw new RdbFormatException($"zipmap {what} length runs past the end of the blob", at);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(_blob[(at + 1)..]);
        at += 5;
        return length;
    }

    private readonly ReadOnlySpan<byte> Take(scoped ref int at, long length, int limit, string what)
    {
        if (at + length > limit)
            throw new RdbFormatException($"zipmap {what} of {length} bytes runs past the end of the blob", at);
        var slice = _blob.Slice(at, (int)length);
        at += (int)length;
        return slice;
    }
}
