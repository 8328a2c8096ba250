using System.Buffers;
using Shake.Core.Writers;
using Shake.Rdb.Format;
using Shake.Rdb.Values;

namespace Shake.Core.Conversion;

/// <summary>
/// The elements of one value too large to hold, as the parser hands them over, passed on to the
/// <see cref="ValueCommandWriter"/> of its conversion. The parser must not see an exception in the middle of a value,
/// so the first conversion error is kept (<see cref="Failure"/>) and the remaining elements are ignored.
/// </summary>
internal sealed class StreamedValue : IRdbValueVisitor
{
    private ValueCommandWriter? _writer;
    private byte[] _key = new byte[64];
    private int _keyLength;

    /// <summary>The entry's key (the parser's copy is gone once the value started).</summary>
    public ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    /// <summary>The entry's data type.</summary>
    public RdbLogicalType LogicalType { get; private set; }

    /// <summary>The entry's absolute expiry in Unix ms, or -1.</summary>
    public long ExpireAtMs { get; private set; }

    /// <summary>Elements (list items, members, fields, stream entries) passed on so far.</summary>
    public long Elements { get; private set; }

    /// <summary>The first element that could not be converted, or null.</summary>
    public EntryConversionException? Failure { get; private set; }

    /// <summary>Starts a value whose elements go to <paramref name="writer"/>.</summary>
    public void Begin(ValueCommandWriter writer, ReadOnlySpan<byte> key, RdbLogicalType type, long expireAtMs)
    {
        _writer = writer;
        if (_key.Length < key.Length) _key = new byte[Math.Max(key.Length, _key.Length * 2)];
        key.CopyTo(_key);
        _keyLength = key.Length;
        LogicalType = type;
        ExpireAtMs = expireAtMs;
        Elements = 0;
        Failure = null;
    }

    public void OnString(ReadOnlySpan<byte> value) => Fail(new EntryConversionException("a string is never streamed"));

    public void OnStringPart(ReadOnlySpan<byte> part, long totalLength)
    {
        if (Failure is not null) return;
        try { _writer!.OnStringPart(part, totalLength); Elements++; }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnListItem(ReadOnlySpan<byte> item)
    {
        if (Failure is not null) return;
        try { _writer!.OnListItem(item); Elements++; }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnSetMember(ReadOnlySpan<byte> member)
    {
        if (Failure is not null) return;
        try { _writer!.OnSetMember(member); Elements++; }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnZSetMember(ReadOnlySpan<byte> member, double score)
    {
        if (Failure is not null) return;
        try { _writer!.OnZSetMember(member, score); Elements++; }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs)
    {
        if (Failure is not null) return;
        try { _writer!.OnHashField(field, value, expireAtMs); Elements++; }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnStreamEntry(StreamId id, int fieldCount)
    {
        if (Failure is not null) return;
        try { _writer!.OnStreamEntry(id, fieldCount); Elements++; }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        if (Failure is not null) return;
        try { _writer!.OnStreamField(field, value); }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnStreamMetadata(in StreamMetadata metadata)
    {
        if (Failure is not null) return;
        try { _writer!.OnStreamMetadata(metadata); }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead)
    {
        if (Failure is not null) return;
        try { _writer!.OnStreamGroup(name, lastDeliveredId, entriesRead); }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount)
    {
        if (Failure is null) _writer!.OnStreamPendingEntry(id, deliveryTimeMs, deliveryCount);
    }

    public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs)
    {
        if (Failure is not null) return;
        try { _writer!.OnStreamConsumer(name, seenTimeMs, activeTimeMs); }
        catch (EntryConversionException e) { Fail(e); }
    }

    public void OnStreamConsumerPendingEntry(StreamId id)
    {
        if (Failure is null) _writer!.OnStreamConsumerPendingEntry(id);
    }

    public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) => Fail(new EntryConversionException("a module value is never streamed"));

    private void Fail(EntryConversionException e) => Failure ??= e;
}
