using System.Buffers.Binary;
using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Shake.Rdb.Validation;

/// <summary>
/// The fast path for plain collections (list, set, hash, binary-score sorted set) held in one span: a count, then per
/// element a member string, <c>values</c> more strings and <c>fixedBytes</c> (a binary score). Only raw and
/// integer-encoded strings are handled here; anything else (an LZF string, a truncated or oversized item, a repeated
/// member hash in a small collection) returns false, and the caller validates the value on the general path, which
/// decides and reports the precise error.
/// </summary>
internal static class PlainSpan
{
    /// <summary>
    /// Validates the value at the start of <paramref name="span"/>, which may go on past it, and gives its length;
    /// false when the value does not end inside the span or holds anything the fast path leaves to the general one.
    /// </summary>
    public static bool TryWalk(ReadOnlySpan<byte> span, int values, int fixedBytes, DuplicateFinder? unique, string memberName, out int length)
    {
        length = 0;
        int pos = 0;
        if (!TryReadLength(span, ref pos, out long count)) return false;
        // A small collection is screened by member hashes alone; a repeated hash sends it to the exact check.
        bool screen = unique is not null && count <= SmallDuplicateFilter.Capacity;
        var filter = screen ? unique!.Screen() : default;
        if (unique is not null && !screen) unique.Reset(Math.Min(count, 1 << 20));
        Span<byte> text = stackalloc byte[24];
        // A fault is reported only once the value is known to end inside the span: one that does not is left to the
        // caller's framing, so a value cut short is reported as such, wherever the bytes came from.
        string? fault = null;
        int faultAt = 0;
        for (long i = 0; i < count; i++)
        {
            int at = pos;
            if (!TryReadString(span, ref pos, text, out var member)) return false;
            if (screen)
            {
                if (!filter.Add(member)) return false;
            }
            else if (unique is not null && fault is null && !unique.Add(member, span))
            {
                (fault, faultAt) = ($"duplicate {memberName}", at);
            }
            for (int v = 0; v < values; v++)
            {
                if (!TryReadString(span, ref pos, text, out _)) return false;
            }
            if (fixedBytes > 0)
            {
                if (span.Length - pos < fixedBytes) return false;
                if (fault is null && double.IsNaN(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(span[pos..]))))
                    (fault, faultAt) = ("sorted set score is NaN", pos);
                pos += fixedBytes;
            }
        }
        if (fault is not null) throw new RdbFormatException(fault, faultAt);
        length = pos;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadLength(ReadOnlySpan<byte> value, ref int pos, out long length)
    {
        length = 0;
        if (pos >= value.Length) return false;
        byte first = value[pos];
        switch (first >> 6)
        {
            case 0:
                length = first & 0x3F;
                pos += 1;
                return true;
            case 1:
                if (value.Length - pos < 2) return false;
                length = ((first & 0x3F) << 8) | value[pos + 1];
                pos += 2;
                return true;
            case 2:
                if (first == 0x80 && value.Length - pos >= 5)
                {
                    length = BinaryPrimitives.ReadUInt32BigEndian(value[(pos + 1)..]);
                    pos += 5;
                    return true;
                }
                return false;
            default:
                return false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadString(ReadOnlySpan<byte> value, ref int pos, Span<byte> text, out ReadOnlySpan<byte> result)
    {
        if ((uint)pos < (uint)value.Length)
        {
            byte first = value[pos];
            if (first < 0x40)
            {
                // The common case: a string under 64 bytes.
                if (first < value.Length - pos)
                {
                    result = value.Slice(pos + 1, first);
                    pos += 1 + first;
                    return true;
                }
            }
            else if (first >= 0xC0)
            {
                return TryReadIntegerText(value, ref pos, text, out result);
            }
            else if (TryReadLength(value, ref pos, out long length) && length <= value.Length - pos)
            {
                result = value.Slice(pos, (int)length);
                pos += (int)length;
                return true;
            }
        }
        result = default;
        return false;
    }

    // An integer-encoded string is compared as its decimal text, as the server stores it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryReadIntegerText(ReadOnlySpan<byte> value, ref int pos, Span<byte> text, out ReadOnlySpan<byte> result)
    {
        result = default;
        long number;
        switch (value[pos])
        {
            case 0xC0 when value.Length - pos >= 2: number = (sbyte)value[pos + 1]; pos += 2; break;
            case 0xC1 when value.Length - pos >= 3: number = BinaryPrimitives.ReadInt16LittleEndian(value[(pos + 1)..]); pos += 3; break;
            case 0xC2 when value.Length - pos >= 5: number = BinaryPrimitives.ReadInt32LittleEndian(value[(pos + 1)..]); pos += 5; break;
            default: return false;
        }
        Utf8Formatter.TryFormat(number, text, out int written);
        result = text[..written];
        return true;
    }
}
