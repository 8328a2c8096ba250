using System.Diagnostics.CodeAnalysis;

namespace Shake.Core.Toml;

/// <summary>A TOML table: keys in document order, each remembering where it was written.</summary>
public sealed class TomlTable : TomlNode
{
    private readonly Dictionary<string, TomlEntry> _byKey = new(StringComparer.Ordinal);
    private readonly List<TomlEntry> _entries = [];

    /// <summary>Creates an empty table at a 1-based line and column.</summary>
    public TomlTable(int line, int column) : this(line, column, TomlTableOrigin.Header)
    {
    }

    internal TomlTable(int line, int column, TomlTableOrigin origin) : base(line, column)
    {
        Origin = origin;
    }

    /// <inheritdoc />
    public override TomlKind Kind => TomlKind.Table;

    /// <summary>The entries in document order.</summary>
    public IReadOnlyList<TomlEntry> Entries => _entries;

    /// <summary>Number of keys.</summary>
    public int Count => _entries.Count;

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public TomlNode? this[string key] => _byKey.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>Looks up a key with its position.</summary>
    public bool TryGetEntry(string key, [NotNullWhen(true)] out TomlEntry? entry) => _byKey.TryGetValue(key, out entry);

    /// <summary>Whether the key is present.</summary>
    public bool ContainsKey(string key) => _byKey.ContainsKey(key);

    /// <summary>How the table came into being; decides which later definitions may extend it.</summary>
    internal TomlTableOrigin Origin { get; set; }

    internal void Add(TomlEntry entry)
    {
        _byKey.Add(entry.Key, entry);
        _entries.Add(entry);
    }
}

/// <summary>How a table was created, which governs TOML's rules on defining a table once.</summary>
internal enum TomlTableOrigin
{
    /// <summary>Created as the parent of a header (<c>a</c> in <c>[a.b]</c>); a later <c>[a]</c> may define it once.</summary>
    Implicit,
    /// <summary>Defined by a <c>[header]</c> (or the root).</summary>
    Header,
    /// <summary>Created by a dotted key (<c>a.b = 1</c>); headers may add sub-tables, but not redefine it.</summary>
    Dotted,
    /// <summary>An element of an array of tables (<c>[[a]]</c>).</summary>
    ArrayElement,
    /// <summary>An inline table, complete where it is written.</summary>
    Inline,
}
