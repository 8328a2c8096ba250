namespace Shake.Core.Commands;

/// <summary>What Shake knows about one Redis command (or sub-command such as <c>OBJECT ENCODING</c>).</summary>
public sealed class CommandSpec
{
    /// <summary>Creates a spec; <paramref name="subcommands"/> are keyed by their upper-case name without the container's.</summary>
    public CommandSpec(string name, CommandGroup group, bool isWrite, int arity, KeySpec[] keySpecs, CommandSpec[]? subcommands = null)
    {
        Name = name;
        Group = group;
        IsWrite = isWrite;
        Arity = arity;
        KeySpecArray = keySpecs;
        if (subcommands is { Length: > 0 })
        {
            var map = new Dictionary<string, CommandSpec>(StringComparer.OrdinalIgnoreCase);
            foreach (var sub in subcommands)
            {
                sub.Parent = this;
                map[sub.Name[(sub.Name.IndexOf('|') + 1)..]] = sub;
            }
            Subcommands = map;
            SubcommandLookup = map.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>Upper-case name; sub-commands are <c>CONTAINER|SUB</c> as Redis names them.</summary>
    public string Name { get; }

    /// <summary>The container of a sub-command (<c>OBJECT</c> for <c>OBJECT|ENCODING</c>), or null.</summary>
    public CommandSpec? Parent { get; private set; }

    /// <summary>The name as a client sends it first: the container's name for a sub-command.</summary>
    public string CommandName => Parent?.Name ?? Name;

    /// <summary>The command's group.</summary>
    public CommandGroup Group { get; }

    /// <summary>Whether the command may modify data (the <c>write</c> flag).</summary>
    public bool IsWrite { get; }

    /// <summary>Redis arity: the exact argument count including the name, or its negated minimum.</summary>
    public int Arity { get; }

    /// <summary>Where the keys are.</summary>
    public IReadOnlyList<KeySpec> KeySpecs => KeySpecArray;

    // The key locator walks the array itself: enumerating through the interface would allocate per command.
    internal KeySpec[] KeySpecArray { get; }

    /// <summary>Sub-commands by upper-case name, or null for a plain command.</summary>
    public IReadOnlyDictionary<string, CommandSpec>? Subcommands { get; }

    internal Dictionary<string, CommandSpec>.AlternateLookup<ReadOnlySpan<char>> SubcommandLookup { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
