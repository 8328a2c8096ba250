using System.Buffers.Binary;

namespace Shake.Rdb.Encodings;

/// <summary>
/// Reads the elements of a ziplist (the compact encoding of small lists, hashes and sorted sets before RDB 10)
/// from a blob holding exactly one ziplist. Allocation-free; every length is checked against the blob.
/// </summary>
/// <remarks>
/// Layout: total bytes (u32 LE), offset of the last entry (u32 LE), entry count (u16 LE, 65535 when unknown), entries, 0xFF.
/// Each entry is the previous entry's size (1 byte, or 0xFE and a u32 LE), an encoding, then the data.
/// The previous-size chain and the last-entry offset are verified.
/// </remarks>
public ref struct ZiplistReader
{
    /// <summary>The <see cref="DeclaredCount"/> value meaning the ziplist did not record its entry count.</summary>
    public const int UnknownCount = 65535;

    private const int HeaderSize = 10;
    private readonly ReadOnlySpan<byte> _blob;
    private readonly uint _tailOffset;
    private int _position;
    private int _previousSize;
    private int _read;
    private bool _ended;

    /// <summary>Checks the header of <paramref name="blob"/> and positions before the first entry.</summary>
    /// <exception cref="RdbFormatException">The blob is too short, its declared size differs from its length, or it does not end with 0xFF.</exception>
    public ZiplistReader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize + 1)
            throw new RdbFormatException($"ziplist of {blob.Length} bytes is shorter than its 11-byte minimum", 0);
        var total = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (total != (uint)blob.Length)
            throw new RdbFormatException($"ziplist header declares {total} bytes but the blob holds {blob.Length}", 0);
        if (blob[^1] != 0xFF)
            throw new RdbFormatException("ziplist does not end with its 0xFF end marker", blob.Length - 1);
        _blob = blob;
        _tailOffset = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        DeclaredCount = BinaryPrimitives.ReadUInt16LittleEndian(blob[8..]);
        _position = HeaderSize;
        _previousSize = 0;
        _read = 0;
        _ended = false;
    }

    /// <summary>The entry count from the header; <see cref="UnknownCount"/> (65535) when the ziplist holds that many or more.</summary>
    public int DeclaredCount { get; }

    /// <summary>Entries returned so far.</summary>
    public readonly int ReadCount => _read;

    /// <summary>Offset in the blob of the next entry (or of the end marker).</summary>
    public readonly int Offset => _position;

    /// <summary>Reads the next entry; false at the end marker.</summary>
    /// <exception cref="RdbFormatException">An entry is malformed or runs past the blob, the previous-size chain or tail offset is wrong,
    /// or the entry count differs from <see cref="DeclaredCount"/>.</exception>
    public bool TryRead(out CompactElement element)
    {
        element = default;
        if (_ended) return false;
        var start = _position;
        var limit = _blob.Length - 1;
        var first = _blob[start];
        if (first == 0xFF)
        {
            if (start != limit)
                throw new RdbFormatException("ziplist end marker comes before the end of the blob", start);
            if (DeclaredCount != UnknownCount && DeclaredCount != _read)
                throw new RdbFormatException($"ziplist header declares {DeclaredCount} entries but {_read} were found", start);
            var expectedTail = _read == 0 ? HeaderSize : start - _previousSize;
            if (_tailOffset != expectedTail)
                throw new RdbFormatException($"ziplist header says the last entry is at {_tailOffset} but it is at {expectedTail}", 4);
            _ended = true;
            return false;
        }

        int prevlenSize;
        long prevlen;
        if (first < 0xFE)
        {
            prevlenSize = 1;
            prevlen = first;
        }
        else
        {
            Need(start, 5, limit, "previous-entry length");
            prevlenSize = 5;
            prevlen = BinaryPrimitives.ReadUInt32LittleEndian(_blob[(start + 1)..]);
        }
        if (prevlen != _previousSize)
            throw new RdbFormatException($"ziplist entry says the previous entry is {prevlen} bytes but it is {_previousSize}", start);

        var at = start + prevlenSize;
        Need(at, 1, limit, "encoding");
        var encoding = _blob[at];
        int headerSize;
        long dataSize;
        var isString = true;
        switch (encoding >> 6)
        {
            case 0:
                headerSize = 1;
                dataSize = encoding & 0x3F;
                break;
            case 1:
                Need(at, 2, limit, "14-bit string length");
                headerSize = 2;
                dataSize = ((encoding & 0x3F) << 8) | _blob[at + 1];
                break;
            case 2:
                // Redis only looks at the top two bits of this encoding.
                Need(at, 5, limit, "32-bit string length");
                headerSize = 5;
                dataSize = BinaryPrimitives.ReadUInt32BigEndian(_blob[(at + 1)..]);
                break;
            default:
                isString = false;
                headerSize = 1;
                dataSize = encoding switch
                {
                    0xC0 => 2,
                    0xD0 => 4,
                    0xE0 => 8,
                    0xF0 => 3,
                    0xFE => 1,
                    >= 0xF1 and <= 0xFD => 0,
                    _ => throw new RdbFormatException($"ziplist entry has unknown encoding byte 0x{encoding:X2}", at),
                };
                break;
        }

        var size = prevlenSize + headerSize + dataSize;
        if (start + size > limit)
            throw new RdbFormatException($"ziplist entry of {size} bytes runs past the end of the blob", start);
        var data = _blob.Slice(at + headerSize, (int)dataSize);
        if (isString)
        {
            element = new CompactElement(data);
        }
        else
        {
            element = new CompactElement(encoding switch
            {
                0xC0 => BinaryPrimitives.ReadInt16LittleEndian(data),
                0xD0 => BinaryPrimitives.ReadInt32LittleEndian(data),
                0xE0 => BinaryPrimitives.ReadInt64LittleEndian(data),
                0xF0 => ((data[0] | (data[1] << 8) | (data[2] << 16)) << 8) >> 8,
                0xFE => (sbyte)data[0],
                _ => (encoding & 0x0F) - 1,
            });
        }
        _previousSize = (int)size;
        _position = start + (int)size;
        _read++;
        return true;
    }

    private static void Need(int start, int bytes, int limit, string what)
    {
        if (start + bytes > limit)
            throw new RdbFormatException($"ziplist entry {what} runs past the end of the blob", start);
    }
}
