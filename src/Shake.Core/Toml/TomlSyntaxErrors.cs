using Tomlyn.Syntax;

namespace Shake.Core.Toml;

/// <summary>
/// Turns Tomlyn's diagnostics into <see cref="TomlError"/>s in document order, leaving out the follow-on errors its
/// error recovery produces, so a user sees each real mistake once.
/// </summary>
internal static class TomlSyntaxErrors
{
    // Tomlyn's lexer reads on past the line break of an unterminated single-line string, so everything after it is
    // misread; this message (Tomlyn 2.10) marks that point.
    private const string RunawayString = "Invalid newline in a string";

    public static List<TomlError> From(DiagnosticsBag diagnostics, string text)
    {
        var ordered = diagnostics
            .Where(d => d.Kind == DiagnosticMessageKind.Error)
            .OrderBy(d => d.Span.Start.Offset)
            .ToList();
        var errors = new List<TomlError>(ordered.Count);
        var skipLine = -1;
        foreach (var diagnostic in ordered)
        {
            var start = diagnostic.Span.Start;
            var line = start.Line + 1;
            if (errors.Count > 0 && (errors[^1].Line == line || line == skipLine)) continue;
            errors.Add(new TomlError(line, start.Column + 1, diagnostic.Message));
            if (diagnostic.Message.StartsWith(RunawayString, StringComparison.Ordinal)) break;
            // A token missing at the end of a line (a value, a closing bracket) makes the parser take the next line
            // as the rest of this one; what it then finds wrong there is not a mistake of its own.
            skipLine = IsLineBreak(text, start.Offset) ? line + 1 : -1;
        }
        return errors;
    }

    private static bool IsLineBreak(string text, int offset) =>
        offset >= 0 && offset < text.Length && text[offset] is '\n' or '\r';
}
