using System.Text;
using System.Text.RegularExpressions;

namespace Shake.Host.Planning;

/// <summary>
/// Sets top-level keys of a TOML file's tables in its text, keeping every other line (comments included) as written:
/// an existing <c>key = …</c> line of the table is replaced, otherwise the key is added under the table's header, and a
/// missing table is appended. Enough for the flat redis-shake files; not a general TOML editor.
/// </summary>
public static partial class TomlKeySetter
{
    /// <summary>
    /// Returns <paramref name="text"/> with <paramref name="key"/> of table <paramref name="table"/> (null: the root
    /// table, before the first header) set to <paramref name="tomlValue"/>, a TOML literal such as <c>"0/3"</c> or <c>true</c>.
    /// </summary>
    public static string Set(string text, string? table, string key, string tomlValue)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var assignment = $"{key} = {tomlValue}";
        var start = 0;
        if (table is not null)
        {
            var header = lines.FindIndex(l => HeaderName(l) == table);
            if (header < 0)
            {
                while (lines.Count > 0 && lines[^1].Trim().Length == 0) lines.RemoveAt(lines.Count - 1);
                lines.AddRange(["", $"[{table}]", assignment, ""]);
                return string.Join('\n', lines);
            }
            start = header + 1;
        }
        var end = start;
        while (end < lines.Count && HeaderName(lines[end]) is null) end++;
        var keyPattern = new Regex($@"^\s*""?{Regex.Escape(key)}""?\s*=", RegexOptions.CultureInvariant);
        var existing = lines.FindIndex(start, end - start, l => keyPattern.IsMatch(l));
        if (existing >= 0) lines[existing] = assignment;
        else lines.Insert(start, assignment);
        return string.Join('\n', lines);
    }

    private static string? HeaderName(string line)
    {
        var match = Header().Match(line);
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    [GeneratedRegex(@"^\s*\[([^\[\]]+)\]\s*(#.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Header();
}
