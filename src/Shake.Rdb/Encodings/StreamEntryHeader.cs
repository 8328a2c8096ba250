namespace Shake.Rdb.Encodings;

/// <summary>The header of one entry in a stream listpack node, as returned by <see cref="StreamListpackReader.TryReadEntry"/>.</summary>
/// <param name="Milliseconds">The entry ID's millisecond part (absolute: master ID plus the stored difference).</param>
/// <param name="Sequence">The entry ID's sequence part (absolute).</param>
/// <param name="IsDeleted">True for an entry removed by XDEL that is still physically present; callers normally skip it.</param>
/// <param name="FieldCount">Number of field/value pairs <see cref="StreamListpackReader.TryReadField"/> will return.</param>
/// <param name="UsesMasterFields">True when the entry stores only values and takes its field names from the node's master entry.</param>
public readonly record struct StreamEntryHeader(ulong Milliseconds, ulong Sequence, bool IsDeleted, int FieldCount, bool UsesMasterFields);
