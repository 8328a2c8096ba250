namespace Shake.Core.Toml;

/// <summary>One problem in a TOML document.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column (in UTF-16 code units).</param>
/// <param name="Reason">What is wrong, without the position.</param>
public sealed record TomlError(int Line, int Column, string Reason)
{
    /// <summary>The error as <c>line L, column C: reason</c>.</summary>
    public override string ToString() => $"line {Line}, column {Column}: {Reason}";
}
