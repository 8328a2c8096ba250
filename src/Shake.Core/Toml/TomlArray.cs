namespace Shake.Core.Toml;

/// <summary>A TOML array: either a static array (<c>[1, 2]</c>) or an array of tables (<c>[[name]]</c>).</summary>
public sealed class TomlArray : TomlNode
{
    private readonly List<TomlNode> _items = [];

    /// <summary>Creates an empty array at a 1-based line and column.</summary>
    public TomlArray(int line, int column, bool isArrayOfTables = false) : base(line, column)
    {
        IsArrayOfTables = isArrayOfTables;
    }

    /// <inheritdoc />
    public override TomlKind Kind => TomlKind.Array;

    /// <summary>True for an array built from <c>[[name]]</c> headers, which more headers may extend.</summary>
    public bool IsArrayOfTables { get; }

    /// <summary>The elements in document order.</summary>
    public IReadOnlyList<TomlNode> Items => _items;

    internal void Add(TomlNode item) => _items.Add(item);
}
