namespace Shake.Core.Toml;

/// <summary>A TOML document is malformed; <see cref="Line"/> and <see cref="Column"/> say where.</summary>
public sealed class TomlException : Exception
{
    /// <summary>Creates the exception; the message gets the position appended.</summary>
    public TomlException(string reason, int line, int column)
        : base($"TOML error at line {line}, column {column}: {reason}")
    {
        Reason = reason;
        Line = line;
        Column = column;
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>1-based line of the error.</summary>
    public int Line { get; }

    /// <summary>1-based column of the error.</summary>
    public int Column { get; }
}
