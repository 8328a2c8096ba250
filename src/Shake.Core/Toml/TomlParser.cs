using System.Text;
using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Shake.Core.Toml;

/// <summary>
/// Reads TOML documents (TOML 1.1, which accepts every TOML 1.0 document) into the position-keeping document model
/// (<see cref="TomlTable"/>, <see cref="TomlArray"/>, <see cref="TomlValue"/>). Lexing, parsing and the TOML rules on
/// keys and tables are Tomlyn's syntax parser (no reflection, trim and AOT safe); any problem raises a
/// <see cref="TomlException"/> listing every error with its line and column.
/// </summary>
public static class TomlParser
{
    /// <summary>Deepest nesting of arrays and inline tables accepted; deeper input is rejected rather than exhausting the stack.</summary>
    public const int MaxNestingDepth = 128;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Tomlyn counts the document itself as one level.
    private static readonly TomlSerializerOptions SyntaxOptions = new() { MaxDepth = MaxNestingDepth + 1 };

    /// <summary>Parses a document held in a string and returns its root table.</summary>
    /// <exception cref="TomlException">The document is not valid TOML.</exception>
    public static TomlTable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TomlNestingCheck.FindTooDeep(text, MaxNestingDepth) is { } tooDeep) throw new TomlException([tooDeep]);
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, SyntaxOptions, sourceName: null, validate: true);
        }
        catch (Tomlyn.TomlException e)
        {
            // Only Tomlyn's depth limit throws, and the scan above reports that case first; this is a backstop.
            throw new TomlException(e.Message, (e.Line ?? 0) + 1, (e.Column ?? 0) + 1);
        }
        var errors = TomlSyntaxErrors.From(document.Diagnostics, text);
        if (errors.Count > 0) throw new TomlException(errors);
        return TomlDocumentBuilder.Build(document);
    }

    /// <summary>Parses UTF-8 bytes (a leading byte-order mark is allowed); invalid UTF-8 is an error.</summary>
    /// <exception cref="TomlException">The bytes are not UTF-8 or not valid TOML.</exception>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            var index = Math.Clamp(e.Index, 0, utf8.Length);
            var before = utf8[..index];
            var line = before.Count((byte)'\n') + 1;
            var column = index - (before.LastIndexOf((byte)'\n') + 1) + 1;
            throw new TomlException("the document is not valid UTF-8", line, column);
        }
        return Parse(text);
    }

    /// <summary>Reads and parses a file.</summary>
    public static TomlTable ParseFile(string path) => Parse(File.ReadAllBytes(path));
}
