using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Shake.Rdb.Format;

namespace Shake.Rdb.Parsing;

/// <summary>
/// Reads RDB primitives (lengths, strings, fixed-width numbers) from a <see cref="SequenceReader{T}"/>.
/// Every <c>Try</c> method returns false when the input ends before the item does (the caller then waits for more
/// bytes or, at the real end, reports truncation) and throws <see cref="RdbFormatException"/> on bytes that can never
/// be valid. A false return leaves the reader anywhere inside the item: callers restart the whole item from its
/// start once more bytes arrived. Offsets in errors are absolute: <see cref="BaseOffset"/> plus what the reader has consumed.
/// </summary>
internal ref struct RdbCursor
{
    public SequenceReader<byte> Reader;
    public readonly long BaseOffset;
    public readonly long MaxStringLength;

    public RdbCursor(ReadOnlySequence<byte> data, long baseOffset, long maxStringLength)
    {
        Reader = new SequenceReader<byte>(data);
        BaseOffset = baseOffset;
        MaxStringLength = maxStringLength;
    }

    public readonly long Offset => BaseOffset + Reader.Consumed;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadByte(out byte value) => Reader.TryRead(out value);

    public bool TrySkip(long count)
    {
        if (Reader.Remaining < count) return false;
        Reader.Advance(count);
        return true;
    }

    public bool TryReadUInt32LittleEndian(out uint value)
    {
        if (Reader.TryReadLittleEndian(out int v)) { value = (uint)v; return true; }
        value = 0;
        return false;
    }

    public bool TryReadInt64LittleEndian(out long value) => Reader.TryReadLittleEndian(out value);

    public bool TryReadUInt64BigEndian(out ulong value)
    {
        if (Reader.TryReadBigEndian(out long v)) { value = (ulong)v; return true; }
        value = 0;
        return false;
    }

    /// <summary>
    /// Reads an RDB length (6-bit, 14-bit, 32-bit or 64-bit big-endian). When the top two bits are 11 the
    /// value is an encoding selector: <paramref name="encoded"/> is true and <paramref name="value"/> holds the 6 low bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadLength(out ulong value, out bool encoded)
    {
        encoded = false;
        value = 0;
        var span = Reader.UnreadSpan;
        if (span.Length >= 2)
        {
            // Fast path: the two short forms, entirely in the current segment.
            byte b = span[0];
            switch (b >> 6)
            {
                case 0: value = (ulong)(b & 0x3F); Reader.Advance(1); return true;
                case 1: value = ((ulong)(b & 0x3F) << 8) | span[1]; Reader.Advance(2); return true;
                case 3: value = (ulong)(b & 0x3F); encoded = true; Reader.Advance(1); return true;
            }
        }
        return TryReadLengthSlow(out value, out encoded);
    }

    private bool TryReadLengthSlow(out ulong value, out bool encoded)
    {
        encoded = false;
        value = 0;
        long startOffset = Offset;
        if (!Reader.TryRead(out byte b)) return false;
        switch (b >> 6)
        {
            case 0:
                value = (ulong)(b & 0x3F);
                return true;
            case 1:
                if (!Reader.TryRead(out byte low)) return false;
                value = ((ulong)(b & 0x3F) << 8) | low;
                return true;
            case 3:
                value = (ulong)(b & 0x3F);
                encoded = true;
                return true;
        }
        if (b == 0x80)
        {
            if (!Reader.TryReadBigEndian(out int v32)) return false;
            value = (uint)v32;
            return true;
        }
        if (b == 0x81)
        {
            if (!Reader.TryReadBigEndian(out long v64)) return false;
            value = (ulong)v64;
            return true;
        }
        throw new RdbFormatException($"unknown length encoding byte 0x{b:x2}", startOffset);
    }

    /// <summary>Reads a plain length (an encoding selector is an error naming <paramref name="what"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadCount(out ulong value, string what)
    {
        long at = Offset;
        if (!TryReadLength(out value, out bool encoded)) return false;
        if (encoded) throw new RdbFormatException($"expected a length for {what}, found a string encoding selector", at);
        return true;
    }

    /// <summary>Reads a plain length no greater than <paramref name="max"/>.</summary>
    public bool TryReadCountAtMost(out ulong value, ulong max, string what)
    {
        long at = Offset;
        if (!TryReadCount(out value, what)) return false;
        if (value > max) throw new RdbFormatException($"{what} {value} exceeds the limit {max}", at);
        return true;
    }

    /// <summary>Skips one RDB string (raw, integer-encoded or LZF) without decoding it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TrySkipString()
    {
        long at = Offset;
        if (!TryReadLength(out ulong len, out bool encoded)) return false;
        if (!encoded)
        {
            if (len > (ulong)MaxStringLength) ThrowTooLong(len, at);
            if (Reader.Remaining < (long)len) return false;
            Reader.Advance((long)len);
            return true;
        }
        return TrySkipEncodedString(len, at);
    }

    private bool TrySkipEncodedString(ulong encoding, long at)
    {
        switch (encoding)
        {
            case 0: return TrySkip(1);
            case 1: return TrySkip(2);
            case 2: return TrySkip(4);
            case 3:
                if (!TryReadCount(out ulong compressed, "an LZF compressed length")) return false;
                if (!TryReadCount(out ulong plain, "an LZF plain length")) return false;
                if (compressed > (ulong)MaxStringLength || plain > (ulong)MaxStringLength) ThrowTooLong(Math.Max(compressed, plain), at);
                if (compressed == 0) throw new RdbFormatException("LZF string with a compressed length of 0", at);
                if (plain > compressed * 88 + 8)
                    throw new RdbFormatException($"LZF string claims {plain} bytes from {compressed} compressed bytes, more than LZF can expand", at);
                if (Reader.Remaining < (long)compressed) return false;
                Reader.Advance((long)compressed);
                return true;
            default:
                throw new RdbFormatException($"unknown string encoding {encoding}", at);
        }
    }

    /// <summary>Skips a score of a text-score sorted set: a one-byte length (253 NaN, 254 +inf, 255 -inf) then text.</summary>
    public bool TrySkipTextDouble()
    {
        if (!Reader.TryRead(out byte len)) return false;
        if (len >= 253) return true;
        if (Reader.Remaining < len) return false;
        Reader.Advance(len);
        return true;
    }

    private readonly void ThrowTooLong(ulong len, long at) =>
        throw new RdbFormatException($"string length {len} exceeds the limit of {MaxStringLength} bytes", at);
}
