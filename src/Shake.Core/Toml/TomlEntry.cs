namespace Shake.Core.Toml;

/// <summary>A key of a table with the place the key was written (for a dotted or header key, the place of that key part).</summary>
/// <param name="Key">The key, unquoted.</param>
/// <param name="Line">1-based line of the key.</param>
/// <param name="Column">1-based column of the key.</param>
/// <param name="Value">The value the key holds.</param>
public sealed record TomlEntry(string Key, int Line, int Column, TomlNode Value);
