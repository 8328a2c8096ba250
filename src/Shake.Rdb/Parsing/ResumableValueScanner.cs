using System.Buffers;
using Shake.Rdb.Format;
using Shake.Rdb.Values;

namespace Shake.Rdb.Parsing;

/// <summary>
/// Walks one value of an element-wise encoding (plain list, set, zset, hash, quicklists, streams, hashes with field
/// TTLs, module values) one element at a time and remembers, between calls, how far it got: the next call resumes at the
/// last complete element instead of the value's start, so a value that arrives in many pieces costs time linear in its
/// size. Without a visitor it only finds the value's end; with one it also decodes each element and reports it once,
/// as soon as all of that element's bytes are present (the parser then releases them: a large value is never held whole).
/// Reusable for one value after another; not thread-safe.
/// </summary>
internal sealed class ResumableValueScanner : IDisposable
{
    private readonly ScratchBuffer _first = new();
    private readonly ScratchBuffer _second = new();
    private readonly ScratchBuffer _compressed = new();

    private IRdbValueVisitor? _visitor;
    private byte _type;
    private RdbMagicKind _magic;
    private int _layout;
    private Step _step;
    private ulong _count;
    private ulong _index;
    private ulong _inner;
    private ulong _innerIndex;
    private ulong _outer;
    private ulong _outerIndex;
    private long _minExpire;
    private long _checkpoint;

    private enum Step : byte
    {
        Header,
        Elements,
        StringBytes,
        StreamMetadata,
        GroupCount,
        Group,
        GroupPending,
        ConsumerCount,
        Consumer,
        ConsumerPending,
        ProducerHeader,
        Producer,
        ProducerEntry,
        ProducerCounters,
        ModuleOpcodes,
        Done,
    }

    /// <summary>True for the types this scanner walks element by element (the others are one RDB string).</summary>
    public static bool IsElementWise(byte type, RdbMagicKind magic) => type switch
    {
        RdbValueType.List or RdbValueType.Set or RdbValueType.ZSet or RdbValueType.Hash or RdbValueType.ZSet2
            or RdbValueType.Module2 or RdbValueType.ListQuicklist or RdbValueType.ListQuicklist2
            or RdbValueType.StreamListpacks or RdbValueType.StreamListpacks2 or RdbValueType.StreamListpacks3 => true,
        // 22 is Redis's pre-GA hash with field TTLs and Valkey's HASH_2: element-wise either way.
        RdbValueType.RedisHashMetadataPreGa => true,
        RdbValueType.RedisHashMetadata or RdbValueType.RedisStreamListpacks4 => magic == RdbMagicKind.Redis,
        _ => false,
    };

    /// <summary>True for element-wise collections whose elements a visitor can receive one by one (not module values).</summary>
    public static bool CanStream(byte type, RdbMagicKind magic) => type != RdbValueType.Module2 && IsElementWise(type, magic);

    /// <summary>
    /// True when the buffered start of a string value (<see cref="RdbValueType.String"/>) shows a plain length: its bytes
    /// can be handed over in parts as they arrive. An integer-encoded or LZF-compressed string must be held whole.
    /// </summary>
    public static bool CanStreamString(in ReadOnlySequence<byte> value) => !value.IsEmpty && value.FirstSpan[0] >> 6 != 3;

    /// <summary>Bytes of the value walked so far, up to the end of the last complete element.</summary>
    public long Scanned => _checkpoint;

    /// <summary>Elements (stream entries, quicklist nodes, ...) completed so far; a measure of progress for tests.</summary>
    public ulong ElementsScanned => _index;

    /// <summary>Starts a new value of <paramref name="type"/>; its elements go to <paramref name="visitor"/> when given.</summary>
    public void Start(byte type, RdbMagicKind magic, IRdbValueVisitor? visitor)
    {
        _type = type;
        _magic = magic;
        _visitor = visitor;
        _layout = IsStream(type, magic) ? StreamLayout.Of(type) : 0;
        _step = Step.Header;
        _count = _index = _inner = _innerIndex = _outer = _outerIndex = 0;
        _minExpire = 0;
        _checkpoint = 0;
    }

    private static bool IsStream(byte type, RdbMagicKind magic) =>
        type is RdbValueType.StreamListpacks or RdbValueType.StreamListpacks2 or RdbValueType.StreamListpacks3
        || (type == RdbValueType.RedisStreamListpacks4 && magic == RdbMagicKind.Redis);

    /// <summary>
    /// Continues the value from where the last call stopped; <paramref name="c"/> must start exactly there (the byte
    /// after the last complete element). True when the value ended; false when the input ended first, with
    /// <paramref name="c"/> moved back to the end of the last complete element, where the next call must start.
    /// </summary>
    public bool TryScan(ref RdbCursor c)
    {
        long origin = c.Reader.Consumed - _checkpoint;
        while (_step != Step.Done)
        {
            long before = c.Reader.Consumed;
            if (!TryStep(ref c))
            {
                c.Reader.Rewind(c.Reader.Consumed - before);
                return false;
            }
            _checkpoint = c.Reader.Consumed - origin;
        }
        _visitor = null;
        return true;
    }

    // One element (or header, or stream part) per call, all of it or nothing: the state changes only on success.
    private bool TryStep(ref RdbCursor c)
    {
        switch (_step)
        {
            case Step.Header:
                return TryHeader(ref c);
            case Step.Elements:
                if (!TryElement(ref c)) return false;
                if (++_index == _count) _step = _layout > 0 ? Step.StreamMetadata : Step.Done;
                return true;
            case Step.StringBytes:
                return TryStringPart(ref c);
            case Step.ModuleOpcodes:
                return TryModuleOpcode(ref c);
            default:
                return TryStreamPart(ref c);
        }
    }

    private bool TryHeader(ref RdbCursor c)
    {
        if (_type == RdbValueType.String)
        {
            if (!c.TryReadCount(out ulong length, "string length")) return false;
            _count = length;
            _step = length > 0 ? Step.StringBytes : Step.Done;
            return true;
        }
        if (_type == RdbValueType.Module2)
        {
            if (!c.TryReadCount(out _, "a module type id")) return false;
            _step = Step.ModuleOpcodes;
            return true;
        }
        long minExpire = 0;
        if (_type == RdbValueType.RedisHashMetadata && _magic == RdbMagicKind.Redis && !c.Reader.TryReadLittleEndian(out minExpire)) return false;
        if (!c.TryReadCount(out ulong count, _layout > 0 ? "stream listpack count" : "element count")) return false;
        _minExpire = minExpire;
        _count = count;
        _step = count > 0 ? Step.Elements : _layout > 0 ? Step.StreamMetadata : Step.Done;
        return true;
    }

    // A plain string: whatever part of it the current segment holds is one step, handed over as it is.
    private bool TryStringPart(ref RdbCursor c)
    {
        var span = c.Reader.UnreadSpan;
        if (span.IsEmpty) return false;
        int n = (int)Math.Min((ulong)span.Length, _count - _index);
        _visitor?.OnStringPart(span[..n], (long)_count);
        c.Reader.Advance(n);
        _index += (ulong)n;
        if (_index == _count) _step = Step.Done;
        return true;
    }

    private bool TryElement(ref RdbCursor c)
    {
        var v = _visitor;
        switch (_type)
        {
            case RdbValueType.List:
            case RdbValueType.Set:
            {
                if (v is null) return c.TrySkipString();
                if (!RdbStrings.TryRead(ref c, _first, _compressed, out var item)) return false;
                if (_type == RdbValueType.List) v.OnListItem(item);
                else v.OnSetMember(item);
                return true;
            }
            case RdbValueType.Hash:
            {
                if (v is null) return c.TrySkipString() && c.TrySkipString();
                if (!RdbStrings.TryRead(ref c, _first, _compressed, out var field) || !RdbStrings.TryRead(ref c, _second, _compressed, out var value)) return false;
                v.OnHashField(field, value, -1);
                return true;
            }
            case RdbValueType.ZSet2:
            {
                if (v is null) return c.TrySkipString() && c.TrySkip(8);
                if (!RdbStrings.TryRead(ref c, _first, _compressed, out var member) || !c.Reader.TryReadLittleEndian(out long bits)) return false;
                v.OnZSetMember(member, BitConverter.Int64BitsToDouble(bits));
                return true;
            }
            case RdbValueType.ZSet:
                return TryTextScoreMember(ref c, v);
            case RdbValueType.ListQuicklist:
            {
                long at = c.Offset;
                if (v is null) return c.TrySkipString();
                if (!RdbStrings.TryRead(ref c, _first, _compressed, out var ziplist)) return false;
                RdbValueDecoder.VisitBlob(ziplist, _type, _magic, at, ref v);
                return true;
            }
            case RdbValueType.ListQuicklist2:
                return TryQuicklistNode(ref c, v);
            case RdbValueType.ValkeyHash2 when _magic == RdbMagicKind.Valkey:
            {
                if (v is null) return c.TrySkipString() && c.TrySkipString() && c.TrySkip(8);
                if (!RdbStrings.TryRead(ref c, _first, _compressed, out var field) || !RdbStrings.TryRead(ref c, _second, _compressed, out var value)
                    || !c.Reader.TryReadLittleEndian(out long expireAt)) return false;
                v.OnHashField(field, value, expireAt < 0 ? -1 : expireAt);
                return true;
            }
            case RdbValueType.RedisHashMetadata:
            case RdbValueType.RedisHashMetadataPreGa:
                return TryTtlHashField(ref c, v);
            default:
                return TryStreamNode(ref c, v);
        }
    }

    private bool TryTextScoreMember(ref RdbCursor c, IRdbValueVisitor? v)
    {
        if (v is null) return c.TrySkipString() && c.TrySkipTextDouble();
        if (!RdbStrings.TryRead(ref c, _first, _compressed, out var member)) return false;
        long at = c.Offset;
        if (!c.Reader.TryRead(out byte length)) return false;
        double score;
        switch (length)
        {
            case 253: score = double.NaN; break;
            case 254: score = double.PositiveInfinity; break;
            case 255: score = double.NegativeInfinity; break;
            default:
                if (!RdbStrings.TryTake(ref c, length, _second, out var text)) return false;
                score = RdbValueDecoder.ParseScore(text, at);
                break;
        }
        v.OnZSetMember(member, score);
        return true;
    }

    private bool TryQuicklistNode(ref RdbCursor c, IRdbValueVisitor? v)
    {
        long at = c.Offset;
        if (!c.TryReadCount(out ulong container, "a quicklist node container")) return false;
        if (container is not (QuicklistContainer.Plain or QuicklistContainer.Packed))
            throw new RdbFormatException($"unknown quicklist node container {container} (expected 1 plain or 2 packed)", at);
        if (v is null) return c.TrySkipString();
        long dataAt = c.Offset;
        if (!RdbStrings.TryRead(ref c, _first, _compressed, out var data)) return false;
        if (container == QuicklistContainer.Plain) v.OnListItem(data);
        else if (RdbValueDecoder.VisitBlob(data, RdbValueType.ListQuicklist2, _magic, dataAt, ref v) == 0)
            throw new RdbFormatException("empty listpack node in a quicklist", at);
        return true;
    }

    private bool TryTtlHashField(ref RdbCursor c, IRdbValueVisitor? v)
    {
        if (!c.TryReadCount(out ulong ttl, "a hash field TTL")) return false;
        if (v is null) return c.TrySkipString() && c.TrySkipString();
        if (!RdbStrings.TryRead(ref c, _first, _compressed, out var field) || !RdbStrings.TryRead(ref c, _second, _compressed, out var value)) return false;
        long expireAt = ttl == 0 ? -1 : _type == RdbValueType.RedisHashMetadata ? (long)ttl + _minExpire - 1 : (long)ttl;
        v.OnHashField(field, value, expireAt);
        return true;
    }

    private bool TryStreamNode(ref RdbCursor c, IRdbValueVisitor? v)
    {
        if (v is null) return c.TrySkipString() && c.TrySkipString();
        long at = c.Offset;
        if (!RdbStrings.TryRead(ref c, _first, _compressed, out var nodeKey)) return false;
        long listpackAt = c.Offset;
        if (!RdbStrings.TryRead(ref c, _second, _compressed, out var listpack)) return false;
        if (nodeKey.Length != 16) throw new RdbFormatException($"stream node key has {nodeKey.Length} bytes, expected 16", at);
        RdbValueDecoder.VisitStreamNode(nodeKey, listpack, listpackAt, ref v);
        return true;
    }

    private bool TryModuleOpcode(ref RdbCursor c)
    {
        long at = c.Offset;
        if (!c.TryReadCount(out ulong opcode, "a module value opcode")) return false;
        switch (opcode)
        {
            case ModuleOpcode.Eof:
                _step = Step.Done;
                return true;
            case ModuleOpcode.SignedInt:
            case ModuleOpcode.UnsignedInt:
                return c.TryReadCount(out _, "a module value integer");
            case ModuleOpcode.Float:
                return c.TrySkip(4);
            case ModuleOpcode.Double:
                return c.TrySkip(8);
            case ModuleOpcode.String:
                return c.TrySkipString();
            default:
                throw new RdbFormatException($"unknown module value opcode {opcode}", at);
        }
    }

    // The parts after a stream's nodes: counters, groups with their pending lists and consumers, producer state.
    // _outer/_outerIndex count groups (then producers), _inner/_innerIndex the current list inside one of them.
    private bool TryStreamPart(ref RdbCursor c)
    {
        var v = _visitor;
        switch (_step)
        {
            case Step.StreamMetadata:
            {
                bool extended = _layout >= 2;
                if (!c.TryReadCount(out ulong length, "stream length") || !TryReadId(ref c, out var lastId)) return false;
                StreamId firstId = default, maxDeleted = default;
                ulong added = 0;
                if (extended && (!TryReadId(ref c, out firstId) || !TryReadId(ref c, out maxDeleted) || !c.TryReadCount(out added, "stream entries added"))) return false;
                v?.OnStreamMetadata(new StreamMetadata(length, lastId, firstId, maxDeleted, added, extended));
                _step = Step.GroupCount;
                return true;
            }
            case Step.GroupCount:
                if (!c.TryReadCount(out _outer, "consumer group count")) return false;
                _outerIndex = 0;
                _step = _outer > 0 ? Step.Group : AfterGroups();
                return true;
            case Step.Group:
            {
                if (!TryReadStringOrSkip(ref c, v, out var name) || !TryReadId(ref c, out var last)) return false;
                long entriesRead = -1;
                if (_layout >= 2)
                {
                    if (!c.TryReadCount(out ulong read, "group entries read")) return false;
                    entriesRead = read > long.MaxValue ? -1 : (long)read;
                }
                if (!c.TryReadCount(out ulong pending, "group PEL size")) return false;
                v?.OnStreamGroup(name, last, entriesRead);
                _inner = pending;
                _innerIndex = 0;
                _step = pending > 0 ? Step.GroupPending : Step.ConsumerCount;
                return true;
            }
            case Step.GroupPending:
            {
                if (!c.Reader.TryReadBigEndian(out long ms) || !c.Reader.TryReadBigEndian(out long seq)
                    || !c.Reader.TryReadLittleEndian(out long deliveryTime) || !c.TryReadCount(out ulong deliveries, "PEL delivery count")) return false;
                v?.OnStreamPendingEntry(new StreamId((ulong)ms, (ulong)seq), deliveryTime, deliveries);
                if (++_innerIndex == _inner) _step = Step.ConsumerCount;
                return true;
            }
            case Step.ConsumerCount:
                if (!c.TryReadCount(out _inner, "consumer count")) return false;
                _innerIndex = 0;
                _step = _inner > 0 ? Step.Consumer : NextGroup();
                return true;
            case Step.Consumer:
            {
                if (!TryReadStringOrSkip(ref c, v, out var name) || !c.Reader.TryReadLittleEndian(out long seen)) return false;
                long active = -1;
                if (_layout >= 3 && !c.Reader.TryReadLittleEndian(out active)) return false;
                if (!c.TryReadCount(out ulong owned, "consumer PEL size")) return false;
                v?.OnStreamConsumer(name, seen, active);
                _count = owned;
                _index = 0;
                _step = owned > 0 ? Step.ConsumerPending : NextConsumer();
                return true;
            }
            case Step.ConsumerPending:
            {
                if (!c.Reader.TryReadBigEndian(out long ms) || !c.Reader.TryReadBigEndian(out long seq)) return false;
                v?.OnStreamConsumerPendingEntry(new StreamId((ulong)ms, (ulong)seq));
                if (++_index == _count) _step = NextConsumer();
                return true;
            }
            case Step.ProducerHeader:
                if (!c.TryReadCount(out _, "stream IDMP settings") || !c.TryReadCount(out _, "stream IDMP settings")
                    || !c.TryReadCount(out _outer, "stream IDMP producer count")) return false;
                _outerIndex = 0;
                _step = _outer > 0 ? Step.Producer : Step.ProducerCounters;
                return true;
            case Step.Producer:
                if (!c.TrySkipString() || !c.TryReadCount(out _inner, "stream IDMP entry count")) return false;
                _innerIndex = 0;
                _step = _inner > 0 ? Step.ProducerEntry : NextProducer();
                return true;
            case Step.ProducerEntry:
                if (!c.TrySkipString() || !c.TryReadCount(out _, "stream IDMP entry id") || !c.TryReadCount(out _, "stream IDMP entry id")) return false;
                if (++_innerIndex == _inner) _step = NextProducer();
                return true;
            case Step.ProducerCounters:
                if (!c.TryReadCount(out _, "stream IDMP counters") || !c.TryReadCount(out _, "stream IDMP counters")) return false;
                _step = Step.Done;
                return true;
        }
        throw new InvalidOperationException($"scanner step {_step} has no stream part");
    }

    private Step AfterGroups() => _layout >= 4 ? Step.ProducerHeader : Step.Done;

    private Step NextGroup() => ++_outerIndex < _outer ? Step.Group : AfterGroups();

    private Step NextConsumer() => ++_innerIndex < _inner ? Step.Consumer : NextGroup();

    private Step NextProducer() => ++_outerIndex < _outer ? Step.Producer : Step.ProducerCounters;

    private bool TryReadStringOrSkip(ref RdbCursor c, IRdbValueVisitor? v, out ReadOnlySpan<byte> value)
    {
        value = default;
        return v is null ? c.TrySkipString() : RdbStrings.TryRead(ref c, _first, _compressed, out value);
    }

    private static bool TryReadId(ref RdbCursor c, out StreamId id)
    {
        id = default;
        if (!c.TryReadCount(out ulong ms, "a stream id") || !c.TryReadCount(out ulong seq, "a stream id")) return false;
        id = new StreamId(ms, seq);
        return true;
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _compressed.Dispose();
    }
}
