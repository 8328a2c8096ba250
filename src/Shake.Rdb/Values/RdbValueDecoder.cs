using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Shake.Rdb.Encodings;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Rdb.Values;

/// <summary>
/// Logical decoding: turns a value's raw bytes (as in <see cref="RdbEntry.RawValue"/>) into its elements, for when
/// RESTORE cannot be used. Reusable and not thread-safe (it keeps pooled scratch buffers); dispose to return them.
/// Offsets in errors are relative to the start of the raw value.
/// </summary>
public sealed class RdbValueDecoder : IDisposable, IAsyncDisposable
{
    private readonly ScratchBuffer _first = new();
    private readonly ScratchBuffer _second = new();
    private readonly ScratchBuffer _compressed = new();
    private readonly ScratchBuffer _blob = new();

    /// <summary>
    /// Decodes the whole value, calling <paramref name="visitor"/> for each element, and returns the number of elements
    /// (1 for a string or module value, stream entries for a stream). A collection with 0 elements is what servers skip
    /// on load. Throws <see cref="RdbFormatException"/> when the bytes do not form exactly one value of that type.
    /// </summary>
    public long Decode<TVisitor>(byte type, in ReadOnlySequence<byte> rawValue, RdbMagicKind magic, ref TVisitor visitor)
        where TVisitor : IRdbValueVisitor
    {
        var c = new RdbCursor(rawValue, 0, int.MaxValue);
        long count = DecodeValue(ref c, type, magic, ref visitor);
        if (c.Reader.Remaining != 0)
            throw new RdbFormatException($"{c.Reader.Remaining} unexpected bytes after a {RdbTypeInfo.Name(type, magic)} value", c.Offset);
        return count;
    }

    private long DecodeValue<TVisitor>(ref RdbCursor c, byte type, RdbMagicKind magic, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        switch (type)
        {
            case RdbValueType.String:
                v.OnString(ReadString(ref c, _first));
                return 1;
            case RdbValueType.List:
            {
                ulong n = ReadCount(ref c, "list length");
                for (ulong i = 0; i < n; i++) v.OnListItem(ReadString(ref c, _first));
                return (long)n;
            }
            case RdbValueType.Set:
            {
                ulong n = ReadCount(ref c, "set size");
                for (ulong i = 0; i < n; i++) v.OnSetMember(ReadString(ref c, _first));
                return (long)n;
            }
            case RdbValueType.ZSet:
            case RdbValueType.ZSet2:
            {
                ulong n = ReadCount(ref c, "sorted set size");
                for (ulong i = 0; i < n; i++)
                {
                    var member = ReadString(ref c, _first);
                    double score = type == RdbValueType.ZSet2 ? ReadBinaryDouble(ref c) : ReadTextDouble(ref c);
                    v.OnZSetMember(member, score);
                }
                return (long)n;
            }
            case RdbValueType.Hash:
            {
                ulong n = ReadCount(ref c, "hash size");
                for (ulong i = 0; i < n; i++)
                {
                    var field = ReadString(ref c, _first);
                    var value = ReadString(ref c, _second);
                    v.OnHashField(field, value, -1);
                }
                return (long)n;
            }
            case RdbValueType.ListQuicklist:
            {
                ulong nodes = ReadCount(ref c, "quicklist node count");
                long total = 0;
                for (ulong i = 0; i < nodes; i++) total += DecodeBlob(ref c, type, magic, ref v);
                return total;
            }
            case RdbValueType.ListQuicklist2:
                return DecodeQuicklist2(ref c, ref v);
            case RdbValueType.ListZiplist:
            case RdbValueType.SetIntset:
            case RdbValueType.SetListpack:
            case RdbValueType.ZSetZiplist:
            case RdbValueType.ZSetListpack:
            case RdbValueType.HashZipmap:
            case RdbValueType.HashZiplist:
            case RdbValueType.HashListpack:
                return DecodeBlob(ref c, type, magic, ref v);
            case RdbValueType.StreamListpacks:
            case RdbValueType.StreamListpacks2:
            case RdbValueType.StreamListpacks3:
                return DecodeStream(ref c, type, ref v);
            case RdbValueType.Module2:
            {
                ulong moduleId = ReadCount(ref c, "module type id");
                var start = c.Reader.Position;
                if (!RdbValueSkipper.TrySkipModuleOpcodes(ref c, "module value")) ThrowTruncated(ref c, "module value");
                v.OnModuleValue(moduleId, c.Reader.Sequence.Slice(start, c.Reader.Position));
                return 1;
            }
        }
        if (magic == RdbMagicKind.Redis)
        {
            switch (type)
            {
                case RdbValueType.RedisHashMetadata:
                case RdbValueType.RedisHashMetadataPreGa:
                    return DecodeRedisTtlHash(ref c, type, ref v);
                case RdbValueType.RedisHashListpackEx:
                    SkipExact(ref c, 8, "hash minimum expiry");
                    return DecodeBlob(ref c, type, magic, ref v);
                case RdbValueType.RedisHashListpackExPreGa:
                    return DecodeBlob(ref c, type, magic, ref v);
                case RdbValueType.RedisStreamListpacks4:
                    return DecodeStream(ref c, type, ref v);
            }
        }
        else if (type == RdbValueType.ValkeyHash2)
        {
            ulong n = ReadCount(ref c, "hash size");
            for (ulong i = 0; i < n; i++)
            {
                var field = ReadString(ref c, _first);
                var value = ReadString(ref c, _second);
                long expireAt = ReadInt64(ref c, "hash field expiry");
                v.OnHashField(field, value, expireAt < 0 ? -1 : expireAt);
            }
            return (long)n;
        }
        throw RdbTypeErrors.Unsupported(type, magic, 0);
    }

    private long DecodeQuicklist2<TVisitor>(ref RdbCursor c, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        ulong nodes = ReadCount(ref c, "quicklist node count");
        long total = 0;
        for (ulong i = 0; i < nodes; i++)
        {
            long at = c.Offset;
            ulong container = ReadCount(ref c, "quicklist node container");
            long dataAt = c.Offset;
            var data = ReadString(ref c, _blob);
            if (container == QuicklistContainer.Plain)
            {
                v.OnListItem(data);
                total++;
            }
            else if (container == QuicklistContainer.Packed)
            {
                long n;
                try
                {
                    n = VisitListpackList(data, ref v);
                }
                catch (RdbFormatException e)
                {
                    throw BlobError(e, dataAt, data.Length, RdbValueType.ListQuicklist2, RdbMagicKind.Redis);
                }
                // An empty node holds nothing; servers skip it on load.
                total += n;
            }
            else
            {
                throw new RdbFormatException($"unknown quicklist node container {container}", at);
            }
        }
        return total;
    }

    private long DecodeRedisTtlHash<TVisitor>(ref RdbCursor c, byte type, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        long minExpire = 0;
        if (type == RdbValueType.RedisHashMetadata) minExpire = ReadInt64(ref c, "hash minimum expiry");
        ulong n = ReadCount(ref c, "hash size");
        for (ulong i = 0; i < n; i++)
        {
            ulong ttl = ReadCount(ref c, "hash field TTL");
            long expireAt;
            if (ttl == 0) expireAt = -1;
            else if (type == RdbValueType.RedisHashMetadata) expireAt = (long)ttl + minExpire - 1; // stored relative to the minimum, +1 so 0 can mean none
            else expireAt = (long)ttl;
            var field = ReadString(ref c, _first);
            var value = ReadString(ref c, _second);
            v.OnHashField(field, value, expireAt);
        }
        return (long)n;
    }

    private long DecodeStream<TVisitor>(ref RdbCursor c, byte type, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        int layout = StreamLayout.Of(type);
        ulong nodes = ReadCount(ref c, "stream listpack count");
        long entries = 0;
        for (ulong i = 0; i < nodes; i++)
        {
            long at = c.Offset;
            var nodeKey = ReadString(ref c, _first);
            if (nodeKey.Length != 16) throw new RdbFormatException($"stream node key has {nodeKey.Length} bytes, expected 16", at);
            at = c.Offset;
            var listpack = ReadString(ref c, _blob);
            entries += VisitStreamNode(nodeKey, listpack, at, ref v);
        }
        ulong length = ReadCount(ref c, "stream length");
        var lastId = ReadStreamId(ref c);
        StreamId firstId = default, maxDeleted = default;
        ulong added = 0;
        bool extended = layout >= 2;
        if (extended)
        {
            firstId = ReadStreamId(ref c);
            maxDeleted = ReadStreamId(ref c);
            added = ReadCount(ref c, "stream entries added");
        }
        v.OnStreamMetadata(new StreamMetadata(length, lastId, firstId, maxDeleted, added, extended));

        ulong groups = ReadCount(ref c, "consumer group count");
        for (ulong g = 0; g < groups; g++)
        {
            var name = ReadString(ref c, _first);
            var last = ReadStreamId(ref c);
            long entriesRead = -1;
            if (extended)
            {
                ulong read = ReadCount(ref c, "group entries read");
                entriesRead = read > long.MaxValue ? -1 : (long)read;
            }
            v.OnStreamGroup(name, last, entriesRead);
            ulong pel = ReadCount(ref c, "group PEL size");
            for (ulong p = 0; p < pel; p++)
            {
                var id = ReadRawStreamId(ref c);
                long deliveryTime = ReadInt64(ref c, "PEL delivery time");
                ulong deliveries = ReadCount(ref c, "PEL delivery count");
                v.OnStreamPendingEntry(id, deliveryTime, deliveries);
            }
            ulong consumers = ReadCount(ref c, "consumer count");
            for (ulong k = 0; k < consumers; k++)
            {
                var consumer = ReadString(ref c, _first);
                long seen = ReadInt64(ref c, "consumer seen time");
                long active = layout >= 3 ? ReadInt64(ref c, "consumer active time") : -1;
                v.OnStreamConsumer(consumer, seen, active);
                ulong owned = ReadCount(ref c, "consumer PEL size");
                for (ulong p = 0; p < owned; p++) v.OnStreamConsumerPendingEntry(ReadRawStreamId(ref c));
            }
        }
        // Idempotent-producer state only deduplicates future XADDs; it has no element to visit. RESTORE carries it.
        if (layout >= 4 && !RdbValueSkipper.TrySkipIdempotentProducers(ref c)) ThrowTruncated(ref c, "the stream IDMP state");
        return entries;
    }

    /// <summary>
    /// Visits the live entries of one stream node (its 16-byte key holds the master ID) and returns their number.
    /// <paramref name="listpackAt"/> is where the listpack's string starts, for errors.
    /// </summary>
    internal static long VisitStreamNode<TVisitor>(ReadOnlySpan<byte> nodeKey, ReadOnlySpan<byte> listpack, long listpackAt, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        ulong masterMs = BinaryPrimitives.ReadUInt64BigEndian(nodeKey);
        ulong masterSeq = BinaryPrimitives.ReadUInt64BigEndian(nodeKey[8..]);
        Span<byte> fieldText = stackalloc byte[CompactElement.MaxIntegerTextLength];
        Span<byte> valueText = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long entries = 0;
        try
        {
            var reader = new StreamListpackReader(listpack, masterMs, masterSeq);
            while (reader.TryReadEntry(out var header))
            {
                if (header.IsDeleted) continue;
                v.OnStreamEntry(new StreamId(header.Milliseconds, header.Sequence), header.FieldCount);
                entries++;
                while (reader.TryReadField(out var f, out var value))
                    v.OnStreamField(Text(f, fieldText), Text(value, valueText));
            }
        }
        catch (RdbFormatException e)
        {
            throw new RdbFormatException($"stream node: {e.Reason} (at byte {e.Offset} of the listpack)", listpackAt);
        }
        return entries;
    }

    private static long VisitListpackList<TVisitor>(ReadOnlySpan<byte> blob, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new ListpackReader(blob);
        Span<byte> text = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long n = 0;
        while (r.TryRead(out var e)) { v.OnListItem(Text(e, text)); n++; }
        return n;
    }

    private static long VisitZiplistList<TVisitor>(ReadOnlySpan<byte> blob, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new ZiplistReader(blob);
        Span<byte> text = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long n = 0;
        while (r.TryRead(out var e)) { v.OnListItem(Text(e, text)); n++; }
        return n;
    }

    private static long VisitIntset<TVisitor>(ReadOnlySpan<byte> blob, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new IntsetReader(blob);
        Span<byte> text = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long n = 0;
        while (r.TryRead(out long value)) { v.OnSetMember(Text(new CompactElement(value), text)); n++; }
        return n;
    }

    private static long VisitListpackSet<TVisitor>(ReadOnlySpan<byte> blob, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new ListpackReader(blob);
        Span<byte> text = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long n = 0;
        while (r.TryRead(out var e)) { v.OnSetMember(Text(e, text)); n++; }
        return n;
    }

    private static long VisitZiplistZSet<TVisitor>(ReadOnlySpan<byte> blob, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new ZiplistReader(blob);
        Span<byte> text = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long n = 0;
        while (r.TryRead(out var member))
        {
            if (!r.TryRead(out var score)) throw new RdbFormatException("sorted set ziplist has a member without a score", blob.Length);
            v.OnZSetMember(Text(member, text), Score(score));
            n++;
        }
        return n;
    }

    private static long VisitListpackZSet<TVisitor>(ReadOnlySpan<byte> blob, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new ListpackReader(blob);
        Span<byte> text = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long n = 0;
        while (r.TryRead(out var member))
        {
            if (!r.TryRead(out var score)) throw new RdbFormatException("sorted set listpack has a member without a score", r.Offset);
            v.OnZSetMember(Text(member, text), Score(score));
            n++;
        }
        return n;
    }

    private static long VisitZipmap<TVisitor>(ReadOnlySpan<byte> blob, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new ZipmapReader(blob);
        long n = 0;
        while (r.TryRead(out var field, out var value)) { v.OnHashField(field, value, -1); n++; }
        return n;
    }

    private static long VisitZiplistHash<TVisitor>(ReadOnlySpan<byte> blob, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new ZiplistReader(blob);
        Span<byte> fieldText = stackalloc byte[CompactElement.MaxIntegerTextLength];
        Span<byte> valueText = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long n = 0;
        while (r.TryRead(out var field))
        {
            if (!r.TryRead(out var value)) throw new RdbFormatException("hash ziplist has a field without a value", blob.Length);
            v.OnHashField(Text(field, fieldText), Text(value, valueText), -1);
            n++;
        }
        return n;
    }

    private static long VisitListpackHash<TVisitor>(ReadOnlySpan<byte> blob, bool withTtl, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        var r = new ListpackReader(blob);
        Span<byte> fieldText = stackalloc byte[CompactElement.MaxIntegerTextLength];
        Span<byte> valueText = stackalloc byte[CompactElement.MaxIntegerTextLength];
        long n = 0;
        while (r.TryRead(out var field))
        {
            if (!r.TryRead(out var value)) throw new RdbFormatException("hash listpack has a field without a value", r.Offset);
            long expireAt = -1;
            if (withTtl)
            {
                if (!r.TryRead(out var ttl) || !ttl.TryGetInteger(out long t))
                    throw new RdbFormatException("hash listpack with TTLs lacks an integer TTL after a value", r.Offset);
                if (t != 0) expireAt = t;
            }
            v.OnHashField(Text(field, fieldText), Text(value, valueText), expireAt);
            n++;
        }
        return n;
    }

    private static ReadOnlySpan<byte> Text(CompactElement e, Span<byte> integerBuffer)
    {
        if (!e.IsInteger) return e.Bytes;
        int n = e.FormatTo(integerBuffer);
        return integerBuffer[..n];
    }

    private static double Score(CompactElement e)
    {
        if (e.IsInteger) return e.Integer;
        return ParseDouble(e.Bytes, 0);
    }

    /// <summary>Parses a sorted set score stored as text (<c>inf</c>, <c>-inf</c>, <c>nan</c> included).</summary>
    internal static double ParseScore(ReadOnlySpan<byte> text, long at) => ParseDouble(text, at);

    private static double ParseDouble(ReadOnlySpan<byte> text, long at)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return d;
        if (text.SequenceEqual("inf"u8) || text.SequenceEqual("+inf"u8)) return double.PositiveInfinity;
        if (text.SequenceEqual("-inf"u8)) return double.NegativeInfinity;
        if (text.SequenceEqual("nan"u8)) return double.NaN;
        throw new RdbFormatException("sorted set score is not a number", at);
    }

    /// <summary>Reads the string holding a compact encoding and visits its elements.</summary>
    private long DecodeBlob<TVisitor>(ref RdbCursor c, byte type, RdbMagicKind magic, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        long at = c.Offset;
        var blob = ReadString(ref c, _blob);
        return VisitBlob(blob, type, magic, at, ref v);
    }

    /// <summary>
    /// Visits the elements of one compact encoding (ziplist, listpack, intset, zipmap) held by a value of
    /// <paramref name="type"/> (a quicklist's ziplist or listpack node included); <paramref name="at"/> is where the
    /// blob's string starts, for errors. Returns the number of elements.
    /// </summary>
    internal static long VisitBlob<TVisitor>(ReadOnlySpan<byte> blob, byte type, RdbMagicKind magic, long at, ref TVisitor v) where TVisitor : IRdbValueVisitor
    {
        try
        {
            return type switch
            {
                RdbValueType.ListZiplist or RdbValueType.ListQuicklist => VisitZiplistList(blob, ref v),
                RdbValueType.ListQuicklist2 => VisitListpackList(blob, ref v),
                RdbValueType.SetIntset => VisitIntset(blob, ref v),
                RdbValueType.SetListpack => VisitListpackSet(blob, ref v),
                RdbValueType.ZSetZiplist => VisitZiplistZSet(blob, ref v),
                RdbValueType.ZSetListpack => VisitListpackZSet(blob, ref v),
                RdbValueType.HashZipmap => VisitZipmap(blob, ref v),
                RdbValueType.HashZiplist => VisitZiplistHash(blob, ref v),
                RdbValueType.HashListpack => VisitListpackHash(blob, withTtl: false, ref v),
                _ => VisitListpackHash(blob, withTtl: true, ref v), // Redis listpack-ex and its RC variant
            };
        }
        catch (RdbFormatException e)
        {
            throw BlobError(e, at, blob.Length, type, magic);
        }
    }

    /// <summary>Compact-encoding readers count from their blob's start: say where in the value that blob's string is.</summary>
    private static RdbFormatException BlobError(RdbFormatException e, long stringAt, int blobLength, byte type, RdbMagicKind magic) =>
        new($"{e.Reason} (at byte {e.Offset} of the {blobLength}-byte {RdbTypeInfo.Name(type, magic)} blob whose string starts at byte {stringAt} of the value)", stringAt);

    private ReadOnlySpan<byte> ReadString(ref RdbCursor c, ScratchBuffer scratch)
    {
        if (!RdbStrings.TryRead(ref c, scratch, _compressed, out var value)) ThrowTruncated(ref c, "a string");
        return value;
    }

    private static ulong ReadCount(ref RdbCursor c, string what)
    {
        if (!c.TryReadCount(out ulong n, what)) ThrowTruncated(ref c, what);
        return n;
    }

    private static long ReadInt64(ref RdbCursor c, string what)
    {
        if (!c.Reader.TryReadLittleEndian(out long v)) ThrowTruncated(ref c, what);
        return v;
    }

    private static void SkipExact(ref RdbCursor c, int count, string what)
    {
        if (!c.TrySkip(count)) ThrowTruncated(ref c, what);
    }

    private static double ReadBinaryDouble(ref RdbCursor c)
    {
        if (!c.Reader.TryReadLittleEndian(out long bits)) ThrowTruncated(ref c, "a binary score");
        return BitConverter.Int64BitsToDouble(bits);
    }

    private double ReadTextDouble(ref RdbCursor c)
    {
        long at = c.Offset;
        if (!c.Reader.TryRead(out byte len)) ThrowTruncated(ref c, "a score length");
        switch (len)
        {
            case 253: return double.NaN;
            case 254: return double.PositiveInfinity;
            case 255: return double.NegativeInfinity;
        }
        if (!RdbStrings.TryTake(ref c, len, _second, out var text)) ThrowTruncated(ref c, "a score");
        return ParseDouble(text, at);
    }

    private static StreamId ReadStreamId(ref RdbCursor c) => new(ReadCount(ref c, "a stream id"), ReadCount(ref c, "a stream id"));

    private static StreamId ReadRawStreamId(ref RdbCursor c)
    {
        // PEL ids are the radix-tree keys: 16 bytes, both halves big-endian.
        long seq = 0;
        if (!c.Reader.TryReadBigEndian(out long ms) || !c.Reader.TryReadBigEndian(out seq)) ThrowTruncated(ref c, "a PEL stream id");
        return new StreamId((ulong)ms, (ulong)seq);
    }

    private static void ThrowTruncated(ref RdbCursor c, string what) =>
        throw new RdbFormatException($"value ends before {what} is complete", c.Offset);

    /// <summary>The same as <see cref="Dispose"/>: what it holds is released at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _compressed.Dispose();
        _blob.Dispose();
    }
}
