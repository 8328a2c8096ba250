using System.Buffers;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Benchmarks;

// The handler the benchmarks use when every element of every value is decoded: a visitor that only counts bytes, so
// the figure is the decoding itself.

/// <summary>Decodes every value it is handed and counts the elements.</summary>
internal sealed class DecodingHandler : IRdbHandler
{
    public readonly RdbValueDecoder Decoder = new();
    public long Elements;

    public bool OnEntry(in RdbEntry entry)
    {
        var visitor = new SumVisitor();
        Elements += Decoder.Decode(entry.Type, entry.RawValue, entry.Magic, ref visitor);
        return true;
    }
}

/// <summary>Adds up the bytes of every element a decoder reports.</summary>
internal struct SumVisitor : IRdbValueVisitor
{
    public long Bytes;
    public void OnString(ReadOnlySpan<byte> value) => Bytes += value.Length;
    public void OnListItem(ReadOnlySpan<byte> item) => Bytes += item.Length;
    public void OnSetMember(ReadOnlySpan<byte> member) => Bytes += member.Length;
    public void OnZSetMember(ReadOnlySpan<byte> member, double score) => Bytes += member.Length;
    public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs) => Bytes += field.Length + value.Length;
    public void OnStreamEntry(StreamId id, int fieldCount) { }
    public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) => Bytes += field.Length + value.Length;
    public void OnStreamMetadata(in StreamMetadata metadata) { }
    public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead) { }
    public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) { }
    public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs) { }
    public void OnStreamConsumerPendingEntry(StreamId id) { }
    public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) => Bytes += data.Length;
}
