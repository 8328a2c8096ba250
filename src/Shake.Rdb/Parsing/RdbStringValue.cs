using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using Shake.Rdb.Compression;

namespace Shake.Rdb.Parsing;

/// <summary>
/// The bytes of a string entry's value from its raw RDB form (<see cref="RdbEntry.RawValue"/> of a string): stored
/// plainly, as an 8/16/32-bit integer (turned into its decimal text) or LZF-compressed (decompressed).
/// </summary>
public static class RdbStringValue
{
    /// <summary>
    /// Decodes <paramref name="raw"/>; the result is a slice of <paramref name="raw"/> when the bytes are stored
    /// plainly, else it is written into <paramref name="scratch"/>. Returns false, with nothing decoded, when the value
    /// does not fit <paramref name="scratch"/>, or the bytes are not one complete string encoding.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> raw, Span<byte> scratch, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (raw.IsEmpty) return false;
        var first = raw[0];
        switch (first >> 6)
        {
            case 0:
                return TryPlain(raw[1..], first & 0x3F, out value);
            case 1:
                return raw.Length >= 2 && TryPlain(raw[2..], ((first & 0x3F) << 8) | raw[1], out value);
            case 2:
                if (first == 0x80 && raw.Length >= 5)
                {
                    var length = BinaryPrimitives.ReadUInt32BigEndian(raw[1..]);
                    return length <= int.MaxValue && TryPlain(raw[5..], (int)length, out value);
                }
                if (first == 0x81 && raw.Length >= 9)
                {
                    var length = BinaryPrimitives.ReadUInt64BigEndian(raw[1..]);
                    return length <= int.MaxValue && TryPlain(raw[9..], (int)length, out value);
                }
                return false;
        }
        long integer;
        switch (first & 0x3F)
        {
            case 0 when raw.Length == 2:
                integer = (sbyte)raw[1];
                break;
            case 1 when raw.Length == 3:
                integer = BinaryPrimitives.ReadInt16LittleEndian(raw[1..]);
                break;
            case 2 when raw.Length == 5:
                integer = BinaryPrimitives.ReadInt32LittleEndian(raw[1..]);
                break;
            case 3:
                return TryLzf(raw[1..], scratch, out value);
            default:
                return false;
        }
        if (!Utf8Formatter.TryFormat(integer, scratch, out var written)) return false;
        value = scratch[..written];
        return true;
    }

    /// <summary>As <see cref="TryDecode(ReadOnlySpan{byte}, Span{byte}, out ReadOnlySpan{byte})"/> for a value in one segment; false for a split one.</summary>
    public static bool TryDecode(scoped in ReadOnlySequence<byte> raw, Span<byte> scratch, out ReadOnlySpan<byte> value)
    {
        if (!raw.IsSingleSegment)
        {
            value = default;
            return false;
        }
        return TryDecode(raw.FirstSpan, scratch, out value);
    }

    private static bool TryPlain(ReadOnlySpan<byte> rest, int length, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (rest.Length != length) return false;
        value = rest;
        return true;
    }

    private static bool TryLzf(ReadOnlySpan<byte> rest, Span<byte> scratch, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryLength(ref rest, out var compressed) || !TryLength(ref rest, out var plain)) return false;
        if (compressed != rest.Length || plain > scratch.Length) return false;
        int written;
        try
        {
            written = Lzf.Decompress(rest, scratch[..(int)plain]);
        }
        catch (RdbFormatException)
        {
            return false;
        }
        if (written != (int)plain) return false;
        value = scratch[..written];
        return true;
    }

    private static bool TryLength(ref ReadOnlySpan<byte> span, out long length)
    {
        length = -1;
        if (span.IsEmpty) return false;
        var first = span[0];
        switch (first >> 6)
        {
            case 0:
                length = first & 0x3F;
                span = span[1..];
                return true;
            case 1 when span.Length >= 2:
                length = ((first & 0x3F) << 8) | span[1];
                span = span[2..];
                return true;
            case 2 when first == 0x80 && span.Length >= 5:
                length = BinaryPrimitives.ReadUInt32BigEndian(span[1..]);
                span = span[5..];
                return true;
            case 2 when first == 0x81 && span.Length >= 9:
                var wide = BinaryPrimitives.ReadUInt64BigEndian(span[1..]);
                if (wide > int.MaxValue) return false;
                length = (long)wide;
                span = span[9..];
                return true;
            default:
                return false;
        }
    }
}
