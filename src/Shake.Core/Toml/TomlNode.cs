namespace Shake.Core.Toml;

/// <summary>A node of a parsed TOML document: a value, an array or a table, with the place it was written.</summary>
public abstract class TomlNode
{
    /// <summary>Creates a node at a 1-based line and column.</summary>
    protected TomlNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line where the node starts.</summary>
    public int Line { get; }

    /// <summary>1-based column (in UTF-16 code units) where the node starts.</summary>
    public int Column { get; }

    /// <summary>What the node holds.</summary>
    public abstract TomlKind Kind { get; }
}
