using Shake.Core.Commands;

namespace Shake.Core.Filters;

/// <summary>What a filter sees of an RDB entry (redis-shake's <c>is_base = true</c>).</summary>
/// <param name="Id">Sequence number of the entry or command in this run, from 1.</param>
/// <param name="Db">The source database.</param>
/// <param name="Key">The key.</param>
/// <param name="Group">The group of the value's type: STRING, LIST, SET, SORTED_SET, HASH, STREAM (GENERIC for module values).</param>
public readonly ref struct EntryFacts(long Id, int Db, ReadOnlySpan<byte> Key, CommandGroup Group)
{
    /// <summary>Sequence number of the entry or command in this run, from 1.</summary>
    public long Id { get; } = Id;

    /// <summary>The source database.</summary>
    public int Db { get; } = Db;

    /// <summary>The key.</summary>
    public ReadOnlySpan<byte> Key { get; } = Key;

    /// <summary>The group of the value's type.</summary>
    public CommandGroup Group { get; } = Group;
}
