using System.Buffers;

namespace Shake.Rdb.Values;

/// <summary>A visitor that ignores everything: decoding with it only validates the value.</summary>
internal struct NullValueVisitor : IRdbValueVisitor
{
    public void OnString(ReadOnlySpan<byte> value) { }
    public void OnListItem(ReadOnlySpan<byte> item) { }
    public void OnSetMember(ReadOnlySpan<byte> member) { }
    public void OnZSetMember(ReadOnlySpan<byte> member, double score) { }
    public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs) { }
    public void OnStreamEntry(StreamId id, int fieldCount) { }
    public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) { }
    public void OnStreamMetadata(in StreamMetadata metadata) { }
    public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead) { }
    public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) { }
    public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs) { }
    public void OnStreamConsumerPendingEntry(StreamId id) { }
    public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) { }
}
