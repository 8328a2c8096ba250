using System.Buffers.Binary;

namespace Shake.Rdb.Encodings;

/// <summary>
/// Reads the members of an intset (the compact encoding of small all-integer sets) from a blob holding exactly one intset.
/// </summary>
/// <remarks>Layout: element width in bytes (u32 LE: 2, 4 or 8), element count (u32 LE), then the sorted elements, little-endian, no terminator.</remarks>
public ref struct IntsetReader
{
    private const int HeaderSize = 8;
    private readonly ReadOnlySpan<byte> _blob;
    private readonly int _width;
    private int _index;

    /// <summary>Checks the header of <paramref name="blob"/> and that the blob is exactly as long as it declares.</summary>
    /// <exception cref="RdbFormatException">Unknown element width, or a blob length that does not match the count.</exception>
    public IntsetReader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize)
            throw new RdbFormatException($"intset of {blob.Length} bytes is shorter than its 8-byte header", 0);
        var width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (width is not (2 or 4 or 8))
            throw new RdbFormatException($"intset has unknown element width {width}", 0);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (HeaderSize + (long)count * width != blob.Length)
            throw new RdbFormatException($"intset declares {count} elements of {width} bytes but the blob holds {blob.Length} bytes", 4);
        _blob = blob;
        _width = (int)width;
        Count = (int)count;
        _index = 0;
    }

    /// <summary>Number of members.</summary>
    public int Count { get; }

    /// <summary>Reads the next member; false after the last.</summary>
    public bool TryRead(out long value)
    {
        if (_index >= Count)
        {
            value = 0;
            return false;
        }
        var at = _blob[(HeaderSize + _index * _width)..];
        value = _width switch
        {
            2 => BinaryPrimitives.ReadInt16LittleEndian(at),
            4 => BinaryPrimitives.ReadInt32LittleEndian(at),
            _ => BinaryPrimitives.ReadInt64LittleEndian(at),
        };
        _index++;
        return true;
    }
}
