using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Shake.Rdb.Encodings;

/// <summary>
/// Reads the elements of a listpack (the compact encoding of small lists, hashes, sets, sorted sets and stream nodes
/// since RDB 10) from a blob holding exactly one listpack. Allocation-free; every length is checked against the blob.
/// </summary>
/// <remarks>
/// Layout: total byte count (u32 LE), element count (u16 LE, 65535 when unknown), elements, end byte 0xFF.
/// Each element is an encoding byte with optional length/value bytes, the data, then a 1–5 byte "backlen" holding
/// the size of encoding plus data (so the list can be walked backwards), which is verified here.
/// </remarks>
public ref struct ListpackReader
{
    /// <summary>The <see cref="DeclaredCount"/> value meaning the listpack did not record its element count.</summary>
    public const int UnknownCount = 65535;

    private const int HeaderSize = 6;
    private readonly ReadOnlySpan<byte> _blob;
    private int _position;
    private int _read;
    private bool _ended;

    /// <summary>Checks the header of <paramref name="blob"/> and positions before the first element.</summary>
    /// <exception cref="RdbFormatException">The blob is too short, its declared size differs from its length, or it does not end with 0xFF.</exception>
    public ListpackReader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize + 1)
            throw new RdbFormatException($"listpack of {blob.Length} bytes is shorter than its 7-byte minimum", 0);
        var total = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (total != (uint)blob.Length)
            throw new RdbFormatException($"listpack header declares {total} bytes but the blob holds {blob.Length}", 0);
        if (blob[^1] != 0xFF)
            throw new RdbFormatException("listpack does not end with its 0xFF end marker", blob.Length - 1);
        _blob = blob;
        DeclaredCount = BinaryPrimitives.ReadUInt16LittleEndian(blob[4..]);
        _position = HeaderSize;
        _read = 0;
        _ended = false;
    }

    /// <summary>The element count from the header; <see cref="UnknownCount"/> (65535) when the listpack holds that many or more.</summary>
    public int DeclaredCount { get; }

    /// <summary>Elements returned so far.</summary>
    public readonly int ReadCount => _read;

    /// <summary>Offset in the blob of the next element (or of the end marker).</summary>
    public readonly int Offset => _position;

    /// <summary>Reads the next element; false at the end marker.</summary>
    /// <exception cref="RdbFormatException">An element is malformed or runs past the blob, or the element count differs from <see cref="DeclaredCount"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(out CompactElement element)
    {
        // The common entries, a 7-bit integer or a string under 64 bytes, are at most 64 bytes with a one-byte backlen
        // equal to their size; they are read here, everything else (and every error) by the general path.
        var start = _position;
        if (!_ended && (uint)start < (uint)_blob.Length)
        {
            var encoding = _blob[start];
            if (encoding < 0xC0)
            {
                var small = encoding < 0x80 ? 1 : 1 + (encoding & 0x3F);
                if (start + small + 2 <= _blob.Length && _blob[start + small] == small)
                {
                    element = encoding < 0x80 ? new CompactElement(encoding) : new CompactElement(_blob.Slice(start + 1, small - 1));
                    _position = start + small + 1;
                    _read++;
                    return true;
                }
            }
        }
        return TryReadGeneral(out element);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReadGeneral(out CompactElement element)
    {
        element = default;
        if (_ended) return false;
        var start = _position;
        // The constructor guarantees the blob's last byte is 0xFF, so start is always in range here.
        var encoding = _blob[start];
        if (encoding == 0xFF)
        {
            if (start != _blob.Length - 1)
                throw new RdbFormatException("listpack end marker comes before the end of the blob", start);
            if (DeclaredCount != UnknownCount && DeclaredCount != _read)
                throw new RdbFormatException($"listpack header declares {DeclaredCount} elements but {_read} were found", start);
            _ended = true;
            return false;
        }

        var limit = _blob.Length - 1; // entries may not overlap the end marker
        if (encoding < 0xC0)
        {
            var small = encoding < 0x80 ? 1 : 1 + (encoding & 0x3F);
            if (start + small + 1 > limit)
                throw new RdbFormatException($"listpack entry length {small} runs past the end of the blob", start);
            if (_blob[start + small] != small) CheckBacklen(start, small, 1);
            element = encoding < 0x80 ? new CompactElement(encoding) : new CompactElement(_blob.Slice(start + 1, small - 1));
            _position = start + small + 1;
            _read++;
            return true;
        }
        // Encodings below 0xC0 returned above.
        int headerSize;
        long dataSize;
        if (encoding < 0xE0)
        {
            Need(start, 2, limit, "13-bit integer");
            var raw = ((encoding & 0x1F) << 8) | _blob[start + 1];
            element = new CompactElement(raw >= 1 << 12 ? raw - (1 << 13) : raw);
            headerSize = 2;
            dataSize = 0;
        }
        else if (encoding < 0xF0)
        {
            Need(start, 2, limit, "12-bit string length");
            headerSize = 2;
            dataSize = ((encoding & 0x0F) << 8) | _blob[start + 1];
        }
        else
        {
            switch (encoding)
            {
                case 0xF0:
                    Need(start, 5, limit, "32-bit string length");
                    headerSize = 5;
                    dataSize = BinaryPrimitives.ReadUInt32LittleEndian(_blob[(start + 1)..]);
                    break;
                case 0xF1:
                    Need(start, 3, limit, "16-bit integer");
                    element = new CompactElement(BinaryPrimitives.ReadInt16LittleEndian(_blob[(start + 1)..]));
                    headerSize = 3;
                    dataSize = 0;
                    break;
                case 0xF2:
                    Need(start, 4, limit, "24-bit integer");
                    var u24 = _blob[start + 1] | (_blob[start + 2] << 8) | (_blob[start + 3] << 16);
                    element = new CompactElement((u24 << 8) >> 8);
                    headerSize = 4;
                    dataSize = 0;
                    break;
                case 0xF3:
                    Need(start, 5, limit, "32-bit integer");
                    element = new CompactElement(BinaryPrimitives.ReadInt32LittleEndian(_blob[(start + 1)..]));
                    headerSize = 5;
                    dataSize = 0;
                    break;
                case 0xF4:
                    Need(start, 9, limit, "64-bit integer");
                    element = new CompactElement(BinaryPrimitives.ReadInt64LittleEndian(_blob[(start + 1)..]));
                    headerSize = 9;
                    dataSize = 0;
                    break;
                default:
                    throw new RdbFormatException($"listpack entry has unknown encoding byte 0x{encoding:X2}", start);
            }
        }

        var entrySize = headerSize + dataSize;
        var backlenSize = BacklenSize(entrySize);
        if (start + entrySize + backlenSize > limit)
            throw new RdbFormatException($"listpack entry length {entrySize} runs past the end of the blob", start);
        var size = (int)entrySize;
        if (encoding is >= 0xE0 and <= 0xF0)
            element = new CompactElement(_blob.Slice(start + headerSize, (int)dataSize));
        CheckBacklen(start, size, backlenSize);
        _position = start + size + backlenSize;
        _read++;
        return true;
    }

    /// <summary>Reads the next element, which must exist (used by structures layered on a listpack).</summary>
    internal CompactElement ReadRequired(string what)
    {
        var at = _position;
        if (!TryRead(out var element))
            throw new RdbFormatException($"listpack ends where {what} was expected", at);
        return element;
    }

    private readonly void Need(int start, int bytes, int limit, string what)
    {
        if (start + bytes > limit)
            throw new RdbFormatException($"listpack entry {what} runs past the end of the blob", start);
    }

    private static int BacklenSize(long entrySize) =>
        entrySize <= 127 ? 1 : entrySize < 16383 ? 2 : entrySize < 2097151 ? 3 : entrySize < 268435455 ? 4 : 5;

    private readonly void CheckBacklen(int start, int entrySize, int backlenSize)
    {
        // The backlen is read right-to-left: its last byte holds the lowest 7 bits, and every byte but the first has the high bit set.
        var at = start + entrySize;
        long value = 0;
        for (var i = 0; i < backlenSize; i++)
        {
            var b = _blob[at + i];
            var continued = (b & 0x80) != 0;
            if (continued != (i > 0))
                throw new RdbFormatException($"listpack entry back-length byte {i} has a wrong continuation bit", at + i);
            value = (value << 7) | (uint)(b & 0x7F);
        }
        if (value != entrySize)
            throw new RdbFormatException($"listpack entry back-length says {value} but the entry is {entrySize} bytes", at);
    }
}
