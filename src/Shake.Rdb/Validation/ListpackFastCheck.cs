using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Shake.Rdb.Validation;

/// <summary>
/// The fast path of a listpack's deep check, for what small collections hold: every entry shorter than 128 bytes (a
/// one-byte back-length) and a string or an integer of at most 13 bits, member duplicates screened by a
/// <see cref="SmallDuplicateFilter"/>, scores stored as integers. Tight walks with no element objects. Anything else (a
/// long entry, a wider integer, a text score, a large collection, a repeated member hash, and every fault) returns
/// false, and the caller runs the exact check, which decides and reports.
/// </summary>
internal static class ListpackFastCheck
{
    /// <summary>
    /// True when <paramref name="blob"/> is a well-formed listpack of <paramref name="tupleLength"/>-element tuples (1
    /// or 2) whose first elements are unique when <paramref name="unique"/> is given; <paramref name="tuples"/> counts
    /// them. False decides nothing.
    /// </summary>
    public static bool TryCheck(ReadOnlySpan<byte> blob, int tupleLength, DuplicateFinder? unique, bool scores, out long tuples)
    {
        tuples = 0;
        if (blob.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(blob) != (uint)blob.Length || blob[^1] != 0xFF) return false;
        int declared = BinaryPrimitives.ReadUInt16LittleEndian(blob[4..]);
        int count;
        if (unique is null)
        {
            if (scores || !TryWalk(blob, out count)) return false;
        }
        else
        {
            if (declared > SmallDuplicateFilter.Capacity * tupleLength) return false;
            if (!TryWalkScreened(blob, tupleLength, unique.Screen(), scores, out count)) return false;
        }
        if (count % tupleLength != 0 || (declared != 65535 && declared != count)) return false;
        tuples = count / tupleLength;
        return true;
    }

    /// <summary>The size of the entry at <paramref name="pos"/> (encoding and data), or -1 when it is not on the fast path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EntrySize(ReadOnlySpan<byte> blob, int pos, int end)
    {
        int encoding = blob[pos];
        int size;
        if (encoding < 0x80) size = 1;
        else if (encoding < 0xC0) size = 1 + (encoding & 0x3F);
        else if (encoding < 0xE0) size = 2;
        else if (encoding < 0xF0 && pos + 1 < end) size = 2 + (((encoding & 0x0F) << 8) | blob[pos + 1]);
        else return -1;
        // One back-length byte (sizes up to 127) equal to the size, and the entry ends before the end marker.
        if (size > 127 || size >= end - pos || blob[pos + size] != size) return -1;
        return size;
    }

    private static bool TryWalk(ReadOnlySpan<byte> blob, out int count)
    {
        int end = blob.Length - 1;
        int pos = 6;
        int n = 0;
        while (pos < end)
        {
            int size = EntrySize(blob, pos, end);
            if (size < 0) break;
            pos += size + 1;
            n++;
        }
        count = n;
        return pos == end;
    }

    private static bool TryWalkScreened(ReadOnlySpan<byte> blob, int tupleLength, SmallDuplicateFilter filter, bool scores, out int count)
    {
        count = 0;
        int end = blob.Length - 1;
        int pos = 6;
        int n = 0;
        while (pos < end)
        {
            // The member: the first element of a tuple.
            int size = EntrySize(blob, pos, end);
            if (size < 0 || !AddMember(ref filter, blob, pos, size)) return false;
            pos += size + 1;
            n++;
            if (tupleLength == 1) continue;
            // Its value or score: a pair whose second half is missing is left to the exact check.
            if (pos >= end) return false;
            size = EntrySize(blob, pos, end);
            if (size < 0) return false;
            int encoding = blob[pos];
            if (scores && encoding >= 0x80 && (encoding < 0xC0 || encoding >= 0xE0)) return false; // a text score: parsed on the exact path
            pos += size + 1;
            n++;
        }
        count = n;
        return pos == end;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AddMember(ref SmallDuplicateFilter filter, ReadOnlySpan<byte> blob, int pos, int size)
    {
        int encoding = blob[pos];
        return encoding switch
        {
            < 0x80 => filter.AddInteger(encoding),
            < 0xC0 => filter.Add(blob.Slice(pos + 1, size - 1)),
            < 0xE0 => filter.AddInteger(Int13(encoding, blob[pos + 1])),
            _ => filter.Add(blob.Slice(pos + 2, size - 2)),
        };
    }

    private static int Int13(int encoding, byte low)
    {
        int raw = ((encoding & 0x1F) << 8) | low;
        return raw >= 1 << 12 ? raw - (1 << 13) : raw;
    }
}
