using Shake.Rdb.Encodings;

namespace Shake.Rdb.Validation;

/// <summary>
/// Deep checks of the compact encodings, one blob at a time, as a server's deep payload sanitization does them:
/// the readers verify lengths, entry counts, back-links and end markers; these checks add what depends on the
/// value's type (tuples complete, first element of each tuple unique, intsets sorted, field TTLs well-formed).
/// Offsets in errors are relative to the blob.
/// </summary>
internal static class CompactEncodingChecks
{
    /// <summary>Largest field expiry a server accepts (48 bits of milliseconds).</summary>
    public const long MaxFieldExpireAtMs = 0x0000_FFFF_FFFF_FFFF;

    /// <summary>
    /// A listpack whose elements form tuples of <paramref name="tupleLength"/> (1 set, 2 hash or sorted set, 3 hash
    /// with TTLs); the first element of each tuple must be unique when <paramref name="unique"/> is given.
    /// Returns the number of tuples.
    /// </summary>
    public static long Listpack(ReadOnlySpan<byte> blob, int tupleLength, DuplicateFinder? unique, string what, bool scores = false)
    {
        if (tupleLength <= 2 && ListpackFastCheck.TryCheck(blob, tupleLength, unique, scores, out long checkedTuples)) return checkedTuples;
        var reader = new ListpackReader(blob);
        unique?.Reset(reader.DeclaredCount / tupleLength);
        Span<byte> text = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long tuples = 0;
        int position = 0; // in the current tuple; kept as a counter, a division per element would cost more than the rest
        long lastExpireAt = -1;
        while (true)
        {
            int at = reader.Offset;
            if (!reader.TryRead(out var element)) break;
            if (position == 0)
            {
                if (unique is not null && !unique.Add(Text(element, text), blob))
                    throw new RdbFormatException($"duplicate {what} in a listpack", at);
            }
            else if (position == 1)
            {
                if (scores) CheckScore(element, at);
            }
            else
            {
                lastExpireAt = CheckFieldExpiry(element, lastExpireAt, at);
            }
            if (++position == tupleLength)
            {
                position = 0;
                tuples++;
            }
        }
        if (position != 0)
            throw new RdbFormatException($"listpack holds {tuples * tupleLength + position} elements, not a whole number of {tupleLength}-element {what} tuples", reader.Offset);
        return tuples;
    }

    /// <summary>A ziplist of single elements (tuple 1, list) or pairs (tuple 2, hash and sorted set); returns the tuples.</summary>
    public static long Ziplist(ReadOnlySpan<byte> blob, int tupleLength, DuplicateFinder? unique, string what, bool scores = false)
    {
        var reader = new ZiplistReader(blob);
        unique?.Reset(reader.DeclaredCount / tupleLength);
        Span<byte> text = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long tuples = 0;
        int position = 0;
        while (true)
        {
            int at = reader.Offset;
            if (!reader.TryRead(out var element)) break;
            if (position == 0)
            {
                if (unique is not null && !unique.Add(Text(element, text), blob))
                    throw new RdbFormatException($"duplicate {what} in a ziplist", at);
            }
            else if (scores)
            {
                CheckScore(element, at);
            }
            if (++position == tupleLength)
            {
                position = 0;
                tuples++;
            }
        }
        if (position != 0)
            throw new RdbFormatException($"ziplist holds {tuples * tupleLength + position} entries, not a whole number of {what}/value pairs", reader.Offset);
        return tuples;
    }

    /// <summary>An intset: known width, exact size, not empty, members strictly ascending (sorted and unique).</summary>
    public static long Intset(ReadOnlySpan<byte> blob)
    {
        var reader = new IntsetReader(blob);
        if (reader.Count == 0) throw new RdbFormatException("intset is empty", 4);
        int width = (blob.Length - 8) / reader.Count;
        reader.TryRead(out long previous);
        for (int i = 1; reader.TryRead(out long current); i++)
        {
            if (current <= previous)
                throw new RdbFormatException(current == previous ? $"intset holds {current} twice" : $"intset is not sorted: {current} follows {previous}", 8 + i * width);
            previous = current;
        }
        return reader.Count;
    }

    /// <summary>A zipmap: lengths inside the blob, header count right, not empty, fields unique.</summary>
    public static long Zipmap(ReadOnlySpan<byte> blob, DuplicateFinder unique)
    {
        var reader = new ZipmapReader(blob);
        unique.Reset(blob[0] < 254 ? blob[0] : 64);
        while (true)
        {
            int at = reader.Offset;
            if (!reader.TryRead(out var field, out _)) break;
            if (!unique.Add(field, blob)) throw new RdbFormatException("duplicate hash field in a zipmap", at);
        }
        if (reader.ReadCount == 0) throw new RdbFormatException("zipmap is empty", 0);
        return reader.ReadCount;
    }

    /// <summary>
    /// A field TTL of a listpack hash with TTLs: an integer from 0 (none) to the 48-bit maximum; fields with a TTL
    /// come first, in ascending order, then those without.
    /// </summary>
    private static long CheckFieldExpiry(in CompactElement element, long previous, int at)
    {
        if (!element.TryGetInteger(out long expireAt))
            throw new RdbFormatException("hash field TTL in a listpack is not an integer", at);
        if (expireAt is < 0 or > MaxFieldExpireAtMs)
            throw new RdbFormatException($"hash field TTL {expireAt} is out of range", at);
        if (expireAt != 0 && (previous == 0 || expireAt < previous))
            throw new RdbFormatException($"hash field TTLs are out of order: {expireAt} after {previous}", at);
        return expireAt;
    }

    /// <summary>A sorted set score of a compact encoding: an integer, or text that is a number other than NaN.</summary>
    private static void CheckScore(in CompactElement element, int at)
    {
        if (element.IsInteger) return;
        var text = element.Bytes;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double score) && !double.IsNaN(score)) return;
        if (text.SequenceEqual("inf"u8) || text.SequenceEqual("+inf"u8) || text.SequenceEqual("-inf"u8)) return;
        throw new RdbFormatException("sorted set score is not a number", at);
    }

    /// <summary>An element as the server compares it: integers as their decimal text.</summary>
    public static ReadOnlySpan<byte> Text(in CompactElement element, Span<byte> integerBuffer)
    {
        if (!element.IsInteger) return element.Bytes;
        return integerBuffer[..element.FormatTo(integerBuffer)];
    }
}
