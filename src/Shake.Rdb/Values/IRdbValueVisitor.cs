namespace Shake.Rdb.Values;

/// <summary>
/// Receives a value decoded element by element by <see cref="RdbValueDecoder"/>. Only the callbacks of the value's data
/// type are called. Spans are valid only during the call. Implement on a struct or sealed class: calls are direct.
/// </summary>
public interface IRdbValueVisitor
{
    /// <summary>The value of a string.</summary>
    void OnString(ReadOnlySpan<byte> value);

    /// <summary>
    /// The next part of a string too large to hold (<see cref="Parsing.RdbParserOptions.LargeValueThreshold"/>), in order;
    /// the parts add up to <paramref name="totalLength"/> bytes. Visitors that never ask for large values to be
    /// streamed need not implement it.
    /// </summary>
    void OnStringPart(ReadOnlySpan<byte> part, long totalLength) =>
        throw new NotSupportedException("this visitor does not take a string in parts");

    /// <summary>The next list element, in order.</summary>
    void OnListItem(ReadOnlySpan<byte> item);

    /// <summary>A set member.</summary>
    void OnSetMember(ReadOnlySpan<byte> member);

    /// <summary>A sorted set member with its score.</summary>
    void OnZSetMember(ReadOnlySpan<byte> member, double score);

    /// <summary>A hash field, its value, and the field's absolute expiry in Unix ms (-1 when none).</summary>
    void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs);

    /// <summary>A live stream entry starts; <see cref="OnStreamField"/> follows <paramref name="fieldCount"/> times.</summary>
    void OnStreamEntry(StreamId id, int fieldCount);

    /// <summary>One field/value pair of the current stream entry.</summary>
    void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value);

    /// <summary>Stream counters, after all entries.</summary>
    void OnStreamMetadata(in StreamMetadata metadata);

    /// <summary>A consumer group; its PEL and consumers follow. <paramref name="entriesRead"/> is -1 when unknown.</summary>
    void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead);

    /// <summary>An entry of the current group's pending list.</summary>
    void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount);

    /// <summary>A consumer of the current group (<paramref name="activeTimeMs"/> is -1 before stream layout 3).</summary>
    void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs);

    /// <summary>A pending entry owned by the current consumer.</summary>
    void OnStreamConsumerPendingEntry(StreamId id);

    /// <summary>A module value: its 64-bit module type id and the opcode-tagged bytes after it (not interpretable without the module).</summary>
    void OnModuleValue(ulong moduleId, System.Buffers.ReadOnlySequence<byte> data);
}
