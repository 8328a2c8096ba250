using Shake.Rdb.Compression;
using System.Buffers;
using System.Globalization;
using System.Text;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Rdb.Validation;

/// <summary>
/// Deep validation of one value's raw bytes (<see cref="RdbEntry.RawValue"/> and its type byte), with the checks a
/// server's deep payload sanitization makes before it trusts a value: every listpack, ziplist, intset, zipmap and
/// stream node walked with its lengths, counts, back-links and end marker verified; hash fields, set members, sorted
/// set members, group and consumer names unique; intsets sorted; pairs and TTL triples complete; scores numbers and
/// never NaN; stream
/// consumer groups consistent with their PELs. Values that only an untrusted source can get wrong are refused here,
/// before anything re-checksums them into a DUMP payload. Reusable (buffers are kept), not thread-safe; dispose it.
/// </summary>
/// <remarks>
/// An empty collection (a zero count, an empty listpack) is not corruption: a server skips such keys on load, and
/// the validator accepts them too, except where the server's own integrity check refuses them (an empty intset or
/// zipmap, an empty quicklist node string).
/// </remarks>
public sealed class RdbValueValidator : IDisposable, IAsyncDisposable
{
    private readonly StringSource _strings = new();
    private readonly ScratchBuffer _blob = new();
    private readonly ScratchBuffer _compressed = new();
    private readonly DuplicateFinder _unique = new();
    private readonly StreamChecks _streams = new();

    /// <summary>
    /// Validates a value; throws <see cref="RdbFormatException"/> naming the problem, with the offset relative to the
    /// start of the raw value.
    /// </summary>
    public void Validate(byte type, in ReadOnlySequence<byte> rawValue, RdbMagicKind magic)
    {
        if (rawValue.IsSingleSegment && TryValidateWhole(type, rawValue.FirstSpan)) return;
        ValidateByCursor(type, rawValue, magic);
    }

    /// <summary><see cref="Validate(byte, in ReadOnlySequence{byte}, RdbMagicKind)"/> for a value in one piece of memory.</summary>
    internal void Validate(byte type, ReadOnlyMemory<byte> rawValue, RdbMagicKind magic)
    {
        if (TryValidateWhole(type, rawValue.Span)) return;
        ValidateByCursor(type, new ReadOnlySequence<byte>(rawValue), magic);
    }

    // The general walk, for what the walks over one span do not take.
    private void ValidateByCursor(byte type, in ReadOnlySequence<byte> rawValue, RdbMagicKind magic)
    {
        var c = new RdbCursor(rawValue, 0, int.MaxValue);
        ValidateValue(ref c, type, magic);
        if (c.Reader.Remaining != 0)
            throw new RdbFormatException($"{c.Reader.Remaining} unexpected bytes after a {RdbTypeInfo.Name(type, magic)} value", c.Offset);
    }

    /// <summary>
    /// False for a raw or integer-encoded string value that the parser framed (an <see cref="RdbEntry.RawValue"/>): its
    /// bounds were checked exactly, nothing in it is left to check. Everything else (an LZF string, every other type)
    /// holds structure to walk.
    /// </summary>
    public static bool HasStructure(byte type, in ReadOnlySequence<byte> rawValue)
    {
        if (type != RdbValueType.String) return true;
        var first = rawValue.FirstSpan;
        return first.IsEmpty || first[0] == 0xC3;
    }

    /// <summary>
    /// For a value that starts <paramref name="unread"/>: validates it and gives its length in bytes, in one walk where
    /// framing and validating would take two. Covers plain lists, sets, hashes and binary-score sorted sets, quicklists
    /// of listpacks, and the compact encodings stored as one string (listpacks, ziplists, intsets). False (nothing
    /// checked) for other types, and for a value that does not end inside the span or holds anything but raw and
    /// integer-encoded strings: the caller frames it and calls <see cref="Validate(byte, in ReadOnlySequence{byte}, RdbMagicKind)"/>. Throws
    /// <see cref="RdbFormatException"/> (offset relative to the value) for what is corrupt.
    /// </summary>
    public bool TryValidatePrefix(byte type, ReadOnlySpan<byte> unread, out int length) => TryValidatePrefix(type, unread, long.MaxValue, out length);

    /// <summary>
    /// <see cref="TryValidatePrefix(byte, ReadOnlySpan{byte}, out int)"/> for a parser whose strings may not exceed
    /// <paramref name="maxStringLength"/> bytes: a longer one is left to the caller's framing, which reports it.
    /// </summary>
    public bool TryValidatePrefix(byte type, ReadOnlySpan<byte> unread, long maxStringLength, out int length)
    {
        switch (type)
        {
            case RdbValueType.List: return PlainSpan.TryWalk(unread, 0, 0, null, "list element", out length);
            case RdbValueType.Set: return PlainSpan.TryWalk(unread, 0, 0, _unique, "set member", out length);
            case RdbValueType.Hash: return PlainSpan.TryWalk(unread, 1, 0, _unique, "hash field", out length);
            case RdbValueType.ZSet2: return PlainSpan.TryWalk(unread, 0, 8, _unique, "sorted set member", out length);
            case RdbValueType.ListQuicklist2: return TryValidateQuicklist2(unread, maxStringLength, out length);
        }
        length = 0;
        int check = type switch
        {
            RdbValueType.SetListpack => 1,
            RdbValueType.HashListpack => 2,
            RdbValueType.ZSetListpack => 3,
            RdbValueType.SetIntset => 4,
            RdbValueType.HashZiplist => 5,
            RdbValueType.ZSetZiplist => 6,
            RdbValueType.ListZiplist => 7,
            _ => 0,
        };
        if (check == 0) return false;
        int stringLength = 0;
        if (!TryFrameBlob(unread, ref stringLength, maxStringLength, out int lzfAt, out int blobAt, out int blobLength)) return false;
        ReadOnlySpan<byte> blob;
        if (lzfAt < 0) blob = unread.Slice(blobAt, blobLength);
        else if (!TryInflate(unread.Slice(lzfAt, stringLength - lzfAt), blobLength, out blob)) return false;
        // The common case, a small listpack the fast walk accepts, needs none of the exact check's set-up.
        if (check <= 3 && ListpackFastCheck.TryCheck(blob, check == 1 ? 1 : 2, _unique, scores: check == 3, out _))
        {
            length = stringLength;
            return true;
        }
        try
        {
            switch (check)
            {
                case 1: CompactEncodingChecks.Listpack(blob, 1, _unique, "set member"); break;
                case 2: CompactEncodingChecks.Listpack(blob, 2, _unique, "hash field"); break;
                case 3: CompactEncodingChecks.Listpack(blob, 2, _unique, "sorted set member", scores: true); break;
                case 4: CompactEncodingChecks.Intset(blob); break;
                case 5: CompactEncodingChecks.Ziplist(blob, 2, _unique, "hash field"); break;
                case 6: CompactEncodingChecks.Ziplist(blob, 2, _unique, "sorted set member", scores: true); break;
                default: CompactEncodingChecks.Ziplist(blob, 1, null, "list element"); break;
            }
        }
        catch (RdbFormatException e)
        {
            throw BlobError(e, 0, blob.Length, type, RdbMagicKind.Redis);
        }
        length = stringLength;
        return true;
    }

    /// <summary>
    /// Frames the string at <paramref name="pos"/> of <paramref name="span"/> that holds a compact encoding's blob and
    /// moves past it: a raw string (<paramref name="lzfAt"/> -1; the blob is <paramref name="blobLength"/> bytes at
    /// <paramref name="blobAt"/>), or an LZF one (its compressed bytes from <paramref name="lzfAt"/> to the new
    /// <paramref name="pos"/>, <paramref name="blobLength"/> once inflated). False when the string does not end inside
    /// the span, exceeds <paramref name="maxStringLength"/>, is empty, or is anything else the long way reports.
    /// </summary>
    private static bool TryFrameBlob(ReadOnlySpan<byte> span, ref int pos, long maxStringLength, out int lzfAt, out int blobAt, out int blobLength)
    {
        lzfAt = -1;
        blobAt = 0;
        blobLength = 0;
        if ((uint)pos >= (uint)span.Length) return false;
        if (span[pos] == 0xC3)
        {
            int at = pos + 1;
            if (!PlainSpan.TryReadLength(span, ref at, out long compressed) || !PlainSpan.TryReadLength(span, ref at, out long plain)) return false;
            // A larger expansion than LZF allows is corruption, reported (and refused before any allocation) the long way.
            if (compressed > span.Length - at || plain == 0 || plain > Array.MaxLength || plain > maxStringLength || compressed > maxStringLength
                || plain > compressed * 88 + 8) return false;
            lzfAt = at;
            blobLength = (int)plain;
            pos = at + (int)compressed;
            return true;
        }
        int start = pos;
        if (!PlainSpan.TryReadLength(span, ref start, out long raw) || raw == 0 || raw > span.Length - start || raw > maxStringLength) return false;
        blobAt = start;
        blobLength = (int)raw;
        pos = start + (int)raw;
        return true;
    }

    // Inflates an LZF blob into the scratch buffer; a corrupt one is left to the long way, which reports it.
    private bool TryInflate(ReadOnlySpan<byte> compressed, int plainLength, out ReadOnlySpan<byte> blob)
    {
        var output = _blob.Get(plainLength);
        blob = output;
        try
        {
            return Lzf.Decompress(compressed, output) == plainLength;
        }
        catch (RdbFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Validates the value of <paramref name="entry"/>; on corruption returns false and an error naming the key, its
    /// type, the byte offset of its entry in the RDB and where in the value the problem is.
    /// </summary>
    public bool TryValidate(in RdbEntry entry, out string? error)
    {
        try
        {
            if (HasStructure(entry.Type, entry.RawValue)) Validate(entry.Type, entry.RawValue, entry.Magic);
            error = null;
            return true;
        }
        catch (RdbFormatException e)
        {
            error = $"value of key \"{KeyText(entry.Key)}\" ({RdbTypeInfo.Name(entry.Type, entry.Magic)}, entry at byte offset {entry.Offset}) is corrupt: {e.Reason} (at byte {e.Offset} of the value)";
            return false;
        }
    }

    /// <summary>
    /// Wraps a validation error of a value that starts at absolute offset <paramref name="valueOffset"/> into an error
    /// naming the key and the type, whose offset is absolute.
    /// </summary>
    public static RdbFormatException Describe(RdbFormatException error, ReadOnlySpan<byte> key, byte type, RdbMagicKind magic, long valueOffset) =>
        new($"value of key \"{KeyText(key)}\" ({RdbTypeInfo.Name(type, magic)}) is corrupt: {error.Reason}", valueOffset + error.Offset);

    /// <summary>A key for an error message: UTF-8 text, cut at 200 bytes.</summary>
    public static string KeyText(ReadOnlySpan<byte> key) =>
        key.Length <= 200 ? Encoding.UTF8.GetString(key) : Encoding.UTF8.GetString(key[..200]) + "...";

    // An LZF string value filling the span exactly, walked run by run without producing its bytes; anything else (and
    // every error, to be reported with its offset) goes the long way.
    private static bool TryCheckLzfString(ReadOnlySpan<byte> value)
    {
        int end = 0;
        if (!TryFrameBlob(value, ref end, long.MaxValue, out int lzfAt, out _, out int plainLength) || lzfAt < 0 || end != value.Length) return false;
        try
        {
            Lzf.Check(value[lzfAt..], plainLength);
            return true;
        }
        catch (RdbFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The common cases without a cursor, for a value in one span: a string value, or a value
    /// <see cref="TryValidatePrefix(byte, ReadOnlySpan{byte}, out int)"/> covers, filling the span exactly. False leaves
    /// the value to the general path (other types, or anything that does not fit, which that path then reports).
    /// </summary>
    private bool TryValidateWhole(byte type, ReadOnlySpan<byte> value)
    {
        if (value.Length == 0) return false;
        if (type != RdbValueType.String) return TryValidatePrefix(type, value, out int length) && length == value.Length;
        // An integer-encoded or raw string value is valid as it stands, an LZF one is walked here; anything that does
        // not fit takes the long way.
        int header = 0;
        if (PlainSpan.TryReadLength(value, ref header, out long rawLength)) return header + rawLength == value.Length;
        byte first = value[0];
        return first == 0xC3 ? TryCheckLzfString(value) : value.Length == first switch { 0xC0 => 2, 0xC1 => 3, 0xC2 => 5, _ => -1 };
    }

    // A quicklist of listpack nodes at the start of a span, every node a raw or LZF string; anything else (an unknown
    // container, an empty or truncated node, a corrupt LZF string) goes the long way, which reports it. The nodes are
    // framed before any is checked, so a quicklist cut short is reported as such rather than by a fault in an earlier
    // node.
    private bool TryValidateQuicklist2(ReadOnlySpan<byte> value, long maxStringLength, out int length)
    {
        length = 0;
        int pos = 0;
        if (!PlainSpan.TryReadLength(value, ref pos, out long nodes)) return false;
        int first = pos;
        for (long i = 0; i < nodes; i++)
        {
            if (!TryFrameNode(value, ref pos, maxStringLength, out _, out _, out _, out _, out _)) return false;
        }
        length = pos;
        pos = first;
        for (long i = 0; i < nodes; i++)
        {
            TryFrameNode(value, ref pos, maxStringLength, out bool packed, out int stringAt, out int lzfAt, out int blobAt, out int blobLength);
            if (!packed) continue;
            ReadOnlySpan<byte> data;
            if (lzfAt < 0) data = value.Slice(blobAt, blobLength);
            else if (!TryInflate(value[lzfAt..pos], blobLength, out data)) return false;
            if (ListpackFastCheck.TryCheck(data, 1, null, scores: false, out _)) continue;
            try
            {
                CompactEncodingChecks.Listpack(data, 1, null, "list element");
            }
            catch (RdbFormatException e)
            {
                throw BlobError(e, stringAt, data.Length, RdbValueType.ListQuicklist2, RdbMagicKind.Redis);
            }
        }
        return true;

        static bool TryFrameNode(ReadOnlySpan<byte> value, ref int pos, long maxStringLength, out bool packed, out int stringAt, out int lzfAt, out int blobAt, out int blobLength)
        {
            packed = false;
            stringAt = 0;
            lzfAt = -1;
            blobAt = 0;
            blobLength = 0;
            if (!PlainSpan.TryReadLength(value, ref pos, out long container)) return false;
            if (container is not ((long)QuicklistContainer.Plain or (long)QuicklistContainer.Packed)) return false;
            packed = container == (long)QuicklistContainer.Packed;
            stringAt = pos;
            return TryFrameBlob(value, ref pos, maxStringLength, out lzfAt, out blobAt, out blobLength);
        }
    }

    private void ValidateValue(ref RdbCursor c, byte type, RdbMagicKind magic)
    {
        switch (type)
        {
            case RdbValueType.String:
                _strings.Check(ref c);
                return;
            case RdbValueType.List:
            {
                ulong n = ValueReads.Count(ref c, "list length");
                for (ulong i = 0; i < n; i++) _strings.Check(ref c);
                return;
            }
            case RdbValueType.Set:
                ValidatePlainCollection(ref c, "set size", "set member", valuesPerMember: 0);
                return;
            case RdbValueType.Hash:
                ValidatePlainCollection(ref c, "hash size", "hash field", valuesPerMember: 1);
                return;
            case RdbValueType.ZSet:
            case RdbValueType.ZSet2:
                ValidateSortedSet(ref c, binaryScores: type == RdbValueType.ZSet2);
                return;
            case RdbValueType.ListQuicklist:
            case RdbValueType.ListQuicklist2:
                ValidateQuicklist(ref c, type);
                return;
            case RdbValueType.ListZiplist:
                Blob(ref c, type, magic, static (blob, _) => CompactEncodingChecks.Ziplist(blob, 1, null, "list element"));
                return;
            case RdbValueType.SetIntset:
                Blob(ref c, type, magic, static (blob, _) => CompactEncodingChecks.Intset(blob));
                return;
            case RdbValueType.SetListpack:
                Blob(ref c, type, magic, static (blob, unique) => CompactEncodingChecks.Listpack(blob, 1, unique, "set member"));
                return;
            case RdbValueType.ZSetZiplist:
                Blob(ref c, type, magic, static (blob, unique) => CompactEncodingChecks.Ziplist(blob, 2, unique, "sorted set member", scores: true));
                return;
            case RdbValueType.ZSetListpack:
                Blob(ref c, type, magic, static (blob, unique) => CompactEncodingChecks.Listpack(blob, 2, unique, "sorted set member", scores: true));
                return;
            case RdbValueType.HashZipmap:
                Blob(ref c, type, magic, static (blob, unique) => CompactEncodingChecks.Zipmap(blob, unique!));
                return;
            case RdbValueType.HashZiplist:
                Blob(ref c, type, magic, static (blob, unique) => CompactEncodingChecks.Ziplist(blob, 2, unique, "hash field"));
                return;
            case RdbValueType.HashListpack:
                Blob(ref c, type, magic, static (blob, unique) => CompactEncodingChecks.Listpack(blob, 2, unique, "hash field"));
                return;
            case RdbValueType.StreamListpacks:
            case RdbValueType.StreamListpacks2:
            case RdbValueType.StreamListpacks3:
                _streams.Check(ref c, StreamLayout.Of(type), _strings);
                return;
            case RdbValueType.Module2:
                ValueReads.Count(ref c, "module type id");
                if (!RdbValueSkipper.TrySkipModuleOpcodes(ref c, "module value")) ValueReads.ThrowTruncated(ref c, "module value");
                return;
        }
        if (magic == RdbMagicKind.Redis)
        {
            switch (type)
            {
                case RdbValueType.RedisHashMetadata:
                case RdbValueType.RedisHashMetadataPreGa:
                    ValidateTtlHash(ref c, withMinimum: type == RdbValueType.RedisHashMetadata);
                    return;
                case RdbValueType.RedisHashListpackEx:
                    ValueReads.Int64(ref c, "hash minimum expiry");
                    Blob(ref c, type, magic, static (blob, unique) => CompactEncodingChecks.Listpack(blob, 3, unique, "hash field"));
                    return;
                case RdbValueType.RedisHashListpackExPreGa:
                    Blob(ref c, type, magic, static (blob, unique) => CompactEncodingChecks.Listpack(blob, 3, unique, "hash field"));
                    return;
                case RdbValueType.RedisStreamListpacks4:
                    _streams.Check(ref c, StreamLayout.Of(type), _strings);
                    return;
            }
        }
        else if (type == RdbValueType.ValkeyHash2)
        {
            ValidatePlainCollection(ref c, "hash size", "hash field", valuesPerMember: 1, expiryPerMember: true);
            return;
        }
        throw RdbTypeErrors.Unsupported(type, magic, 0);
    }

    private void ValidatePlainCollection(ref RdbCursor c, string countName, string memberName, int valuesPerMember, bool expiryPerMember = false)
    {
        ulong n = ValueReads.Count(ref c, countName);
        _unique.Reset((long)Math.Min(n, 1 << 20));
        for (ulong i = 0; i < n; i++)
        {
            long at = c.Offset;
            if (!_unique.Add(_strings.Read(ref c, 0))) throw new RdbFormatException($"duplicate {memberName}", at);
            for (int v = 0; v < valuesPerMember; v++) _strings.Check(ref c);
            if (expiryPerMember) ValueReads.Int64(ref c, "hash field expiry");
        }
    }

    private void ValidateSortedSet(ref RdbCursor c, bool binaryScores)
    {
        ulong n = ValueReads.Count(ref c, "sorted set size");
        _unique.Reset((long)Math.Min(n, 1 << 20));
        for (ulong i = 0; i < n; i++)
        {
            long at = c.Offset;
            if (!_unique.Add(_strings.Read(ref c, 0))) throw new RdbFormatException("duplicate sorted set member", at);
            long scoreAt = c.Offset;
            double score = binaryScores ? BitConverter.Int64BitsToDouble(ValueReads.Int64(ref c, "a binary score")) : ReadTextScore(ref c);
            if (double.IsNaN(score)) throw new RdbFormatException("sorted set score is NaN", scoreAt);
        }
    }

    private double ReadTextScore(ref RdbCursor c)
    {
        long at = c.Offset;
        if (!c.TryReadByte(out byte length)) ValueReads.ThrowTruncated(ref c, "a score length");
        switch (length)
        {
            case 253: return double.NaN;
            case 254: return double.PositiveInfinity;
            case 255: return double.NegativeInfinity;
        }
        if (!RdbStrings.TryTake(ref c, length, _blob, out var text)) ValueReads.ThrowTruncated(ref c, "a score");
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double score)) return score;
        if (text.SequenceEqual("inf"u8) || text.SequenceEqual("+inf"u8)) return double.PositiveInfinity;
        if (text.SequenceEqual("-inf"u8)) return double.NegativeInfinity;
        if (text.SequenceEqual("nan"u8)) return double.NaN;
        throw new RdbFormatException("sorted set score is not a number", at);
    }

    private void ValidateQuicklist(ref RdbCursor c, byte type)
    {
        ulong nodes = ValueReads.Count(ref c, "quicklist node count");
        for (ulong i = 0; i < nodes; i++)
        {
            long at = c.Offset;
            ulong container = QuicklistContainer.Packed;
            if (type == RdbValueType.ListQuicklist2)
            {
                container = ValueReads.Count(ref c, "quicklist node container");
                if (container is not (QuicklistContainer.Plain or QuicklistContainer.Packed))
                    throw new RdbFormatException($"unknown quicklist node container {container}", at);
            }
            long dataAt = c.Offset;
            var data = ReadBlob(ref c);
            if (data.Length == 0) throw new RdbFormatException("quicklist node is an empty string", dataAt);
            if (container == QuicklistContainer.Plain) continue;
            try
            {
                // An empty node is skipped by a server on load, so it is accepted here.
                if (type == RdbValueType.ListQuicklist2) CompactEncodingChecks.Listpack(data, 1, null, "list element");
                else CompactEncodingChecks.Ziplist(data, 1, null, "list element");
            }
            catch (RdbFormatException e)
            {
                throw BlobError(e, dataAt, data.Length, type, RdbMagicKind.Redis);
            }
        }
    }

    private void ValidateTtlHash(ref RdbCursor c, bool withMinimum)
    {
        long minimum = 0;
        if (withMinimum)
        {
            long at = c.Offset;
            minimum = ValueReads.Int64(ref c, "hash minimum expiry");
            // The minimum may be "none" (one past the largest expiry), not more.
            if ((ulong)minimum > CompactEncodingChecks.MaxFieldExpireAtMs + 1)
                throw new RdbFormatException($"hash minimum expiry {(ulong)minimum} is out of range", at);
        }
        ulong n = ValueReads.Count(ref c, "hash size");
        _unique.Reset((long)Math.Min(n, 1 << 20));
        for (ulong i = 0; i < n; i++)
        {
            long at = c.Offset;
            ulong ttl = ValueReads.Count(ref c, "hash field TTL");
            ulong expireAt = ttl == 0 ? 0 : withMinimum ? unchecked(ttl + (ulong)minimum - 1) : ttl;
            if (expireAt > CompactEncodingChecks.MaxFieldExpireAtMs)
                throw new RdbFormatException($"hash field expiry {expireAt} is out of range", at);
            at = c.Offset;
            if (!_unique.Add(_strings.Read(ref c, 0))) throw new RdbFormatException("duplicate hash field", at);
            _strings.Check(ref c);
        }
    }

    private delegate long BlobCheck(ReadOnlySpan<byte> blob, DuplicateFinder? unique);

    private void Blob(ref RdbCursor c, byte type, RdbMagicKind magic, BlobCheck check)
    {
        long at = c.Offset;
        var blob = ReadBlob(ref c);
        try
        {
            check(blob, _unique);
        }
        catch (RdbFormatException e)
        {
            throw BlobError(e, at, blob.Length, type, magic);
        }
    }

    private ReadOnlySpan<byte> ReadBlob(ref RdbCursor c)
    {
        if (!RdbStrings.TryRead(ref c, _blob, _compressed, out var blob)) ValueReads.ThrowTruncated(ref c, "a string");
        return blob;
    }

    private static RdbFormatException BlobError(RdbFormatException e, long stringAt, int blobLength, byte type, RdbMagicKind magic) =>
        new($"{e.Reason} (at byte {e.Offset} of the {blobLength}-byte {RdbTypeInfo.Name(type, magic)} blob whose string starts at byte {stringAt} of the value)", stringAt);

    /// <summary>The same as <see cref="Dispose"/>: what it holds is released at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        _strings.Dispose();
        _blob.Dispose();
        _compressed.Dispose();
        _unique.Dispose();
        _streams.Dispose();
    }
}
