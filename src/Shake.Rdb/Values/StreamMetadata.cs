namespace Shake.Rdb.Values;

/// <summary>
/// Stream-level counters as stored. For the first stream layout (RDB &lt; 10) the newer fields are absent:
/// <see cref="HasExtendedFields"/> is false and <see cref="FirstId"/>, <see cref="MaxDeletedId"/>, <see cref="EntriesAdded"/> are 0.
/// </summary>
public readonly record struct StreamMetadata(ulong Length, StreamId LastId, StreamId FirstId, StreamId MaxDeletedId, ulong EntriesAdded, bool HasExtendedFields);
