using System.Buffers;
using Shake.Core.Commands;

namespace Shake.Core.Filters;

/// <summary>What a filter sees of a replicated command (redis-shake's <c>is_base = false</c>).</summary>
public readonly ref struct CommandFacts
{
    /// <summary>Describes one command; <paramref name="keyIndexes"/> index into <paramref name="arguments"/>.</summary>
    public CommandFacts(long id, int db, string name, CommandGroup group, IReadOnlyList<ReadOnlySequence<byte>> arguments, ReadOnlySpan<int> keyIndexes)
    {
        Id = id;
        Db = db;
        Name = name;
        Group = group;
        Arguments = arguments;
        KeyIndexes = keyIndexes;
    }

    /// <summary>Sequence number of the entry or command in this run, from 1.</summary>
    public long Id { get; }

    /// <summary>The source database the command ran in.</summary>
    public int Db { get; }

    /// <summary>Upper-case command name (the container's for sub-commands: <c>OBJECT</c>, <c>XGROUP</c>).</summary>
    public string Name { get; }

    /// <summary>The command's group; <see cref="CommandGroup.Unknown"/> for commands not in the table.</summary>
    public CommandGroup Group { get; }

    /// <summary>All arguments, the command name first, as they arrived.</summary>
    public IReadOnlyList<ReadOnlySequence<byte>> Arguments { get; }

    /// <summary>Which arguments are keys.</summary>
    public ReadOnlySpan<int> KeyIndexes { get; }
}
