namespace Shake.Core.Toml;

/// <summary>
/// Finds where arrays and inline tables nest deeper than a limit. Tomlyn stops at its own depth limit with an
/// exception that carries no position; this scan runs first so the error names line and column.
/// </summary>
internal static class TomlNestingCheck
{
    /// <summary>The error at the first bracket or brace that opens level <paramref name="limit"/> + 1, or null.</summary>
    public static TomlError? FindTooDeep(string text, int limit)
    {
        var depth = 0;
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\n':
                    line++;
                    lineStart = i + 1;
                    break;
                case '#':
                    while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                    break;
                case '"' or '\'':
                    i = SkipString(text, i, ref line, ref lineStart);
                    break;
                case '[' or '{':
                    if (++depth > limit)
                        return new TomlError(line, i - lineStart + 1, $"arrays and inline tables are nested more than {limit} deep");
                    break;
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }
        return null;
    }

    /// <summary>Skips a string starting at <paramref name="start"/>; returns the index of its last character.</summary>
    private static int SkipString(string text, int start, ref int line, ref int lineStart)
    {
        var quote = text[start];
        var multiLine = IsTriple(text, start, quote);
        var i = start + (multiLine ? 3 : 1);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            // An escaped character is skipped, except a line break (a line-ending backslash), which is counted below.
            if (c == '\\' && quote == '"' && i + 1 < text.Length && text[i + 1] != '\n') { i++; continue; }
            if (c == '\n')
            {
                if (!multiLine) return i - 1;
                line++;
                lineStart = i + 1;
                continue;
            }
            if (c != quote) continue;
            if (!multiLine) return i;
            if (!IsTriple(text, i, quote)) continue;
            while (i + 3 < text.Length && text[i + 3] == quote) i++;
            return i + 2;
        }
        return i;
    }

    private static bool IsTriple(string text, int index, char quote) =>
        index + 2 < text.Length && text[index] == quote && text[index + 1] == quote && text[index + 2] == quote;
}
