namespace Shake.Core.Toml;

/// <content>Keys, key/value pairs, table headers and the rules on defining tables once.</content>
public sealed partial class TomlParser
{
    private readonly record struct KeyPart(string Name, int Index);

    private List<KeyPart> ParseKey()
    {
        var parts = new List<KeyPart>();
        while (true)
        {
            SkipWhitespace();
            var start = _pos;
            string name;
            if (AtEnd) throw Error("expected a key, found end of document");
            if (Current == '"') name = ParseBasicString();
            else if (Current == '\'') name = ParseLiteralString();
            else
            {
                while (!AtEnd && IsBareKeyChar(Current)) _pos++;
                if (_pos == start) throw Error($"expected a key, found {DescribeCurrent()}");
                name = _text[start.._pos];
            }
            parts.Add(new KeyPart(name, start));
            SkipWhitespace();
            if (AtEnd || Current != '.') return parts;
            _pos++;
        }
    }

    private static bool IsBareKeyChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';

    private static string Dotted(List<KeyPart> parts, int count) => string.Join('.', parts.Take(count).Select(p => FormatKey(p.Name)));

    private static string FormatKey(string key) => key.Length > 0 && key.All(IsBareKeyChar) ? key : TomlValue.Quote(key);

    private void ParseKeyValue(TomlTable table)
    {
        var key = ParseKey();
        Expect('=', $"after the key {Dotted(key, key.Count)}");
        SkipWhitespace();
        var value = ParseValue();
        var target = table;
        for (var i = 0; i < key.Count - 1; i++)
        {
            var part = key[i];
            if (!target.TryGetEntry(part.Name, out var entry))
            {
                var (line, column) = PositionOf(part.Index);
                var created = new TomlTable(line, column, TomlTableOrigin.Dotted);
                target.Add(new TomlEntry(part.Name, line, column, created));
                target = created;
                continue;
            }
            if (entry.Value is not TomlTable sub)
                throw ErrorAt(part.Index, $"cannot use dotted key {Dotted(key, key.Count)}: {Dotted(key, i + 1)} is already a {entry.Value.Kind.Describe()} (line {entry.Line})");
            if (sub.Origin == TomlTableOrigin.Inline)
                throw ErrorAt(part.Index, $"cannot add keys to the inline table {Dotted(key, i + 1)} (line {entry.Line})");
            if (sub.Origin is TomlTableOrigin.Header or TomlTableOrigin.ArrayElement)
                throw ErrorAt(part.Index, $"cannot extend table {Dotted(key, i + 1)} with dotted keys: it is defined by a [header] (line {entry.Line})");
            target = sub;
        }
        var last = key[^1];
        if (target.TryGetEntry(last.Name, out var existing))
            throw ErrorAt(last.Index, $"duplicate key {Dotted(key, key.Count)} (first defined at line {existing.Line})");
        var (keyLine, keyColumn) = PositionOf(last.Index);
        target.Add(new TomlEntry(last.Name, keyLine, keyColumn, value));
    }

    private void ParseHeader()
    {
        var start = _pos;
        _pos++; // '['
        var isArray = !AtEnd && Current == '[';
        if (isArray) _pos++;
        var key = ParseKey();
        Expect(']', "to close the table header");
        if (isArray)
        {
            if (AtEnd || Current != ']') throw Error("expected ']]' to close the array-of-tables header");
            _pos++;
        }

        var table = _root;
        for (var i = 0; i < key.Count - 1; i++)
        {
            var part = key[i];
            if (!table.TryGetEntry(part.Name, out var entry))
            {
                var (line, column) = PositionOf(part.Index);
                var created = new TomlTable(line, column, TomlTableOrigin.Implicit);
                table.Add(new TomlEntry(part.Name, line, column, created));
                table = created;
            }
            else if (entry.Value is TomlTable sub)
            {
                if (sub.Origin == TomlTableOrigin.Inline)
                    throw ErrorAt(part.Index, $"cannot add to the inline table {Dotted(key, i + 1)} (line {entry.Line})");
                table = sub;
            }
            else if (entry.Value is TomlArray { IsArrayOfTables: true } array)
            {
                table = (TomlTable)array.Items[^1];
            }
            else
            {
                throw ErrorAt(part.Index, $"{Dotted(key, i + 1)} is already a {entry.Value.Kind.Describe()} (line {entry.Line}), not a table");
            }
        }

        var lastPart = key[^1];
        var name = Dotted(key, key.Count);
        var (headerLine, headerColumn) = PositionOf(start);
        var (lastLine, lastColumn) = PositionOf(lastPart.Index);
        table.TryGetEntry(lastPart.Name, out var found);
        if (isArray)
        {
            TomlArray tables;
            if (found is null)
            {
                tables = new TomlArray(headerLine, headerColumn, isArrayOfTables: true);
                table.Add(new TomlEntry(lastPart.Name, lastLine, lastColumn, tables));
            }
            else if (found.Value is TomlArray { IsArrayOfTables: true } existing)
            {
                tables = existing;
            }
            else
            {
                throw ErrorAt(lastPart.Index, $"[[{name}]] cannot extend {name}: it is already a {Describe(found.Value)} (line {found.Line})");
            }
            var element = new TomlTable(headerLine, headerColumn, TomlTableOrigin.ArrayElement);
            tables.Add(element);
            _current = element;
            return;
        }

        if (found is null)
        {
            var created = new TomlTable(headerLine, headerColumn, TomlTableOrigin.Header);
            table.Add(new TomlEntry(lastPart.Name, lastLine, lastColumn, created));
            _current = created;
        }
        else if (found.Value is TomlTable { Origin: TomlTableOrigin.Implicit } implicitTable)
        {
            implicitTable.Origin = TomlTableOrigin.Header;
            _current = implicitTable;
        }
        else
        {
            throw ErrorAt(lastPart.Index, $"table [{name}] is defined more than once: it is already a {Describe(found.Value)} (line {found.Line})");
        }
    }

    private static string Describe(TomlNode node) => node switch
    {
        TomlTable { Origin: TomlTableOrigin.Dotted } => "table defined by dotted keys",
        TomlTable { Origin: TomlTableOrigin.Inline } => "inline table",
        TomlTable => "table",
        TomlArray { IsArrayOfTables: true } => "array of tables",
        TomlArray => "static array",
        _ => node.Kind.Describe(),
    };

    private TomlTable ParseInlineTable()
    {
        var (line, column) = PositionOf(_pos);
        _pos++; // '{'
        var table = new TomlTable(line, column, TomlTableOrigin.Dotted);
        SkipWhitespace();
        if (!AtEnd && Current == '}')
        {
            _pos++;
            table.Origin = TomlTableOrigin.Inline;
            return table;
        }
        while (true)
        {
            ParseKeyValue(table);
            SkipWhitespace();
            if (AtEnd) throw Error("unterminated inline table: expected ',' or '}'");
            if (Current == '}') { _pos++; break; }
            if (Current != ',') throw Error($"expected ',' or '}}' in the inline table, found {DescribeCurrent()}");
            _pos++;
            SkipWhitespace();
            if (!AtEnd && Current == '}') throw Error("a trailing comma is not allowed in an inline table (TOML 1.0)");
        }
        Seal(table);
        return table;
    }

    /// <summary>An inline table and the tables its dotted keys created are complete: nothing may add to them later.</summary>
    private static void Seal(TomlTable table)
    {
        table.Origin = TomlTableOrigin.Inline;
        foreach (var entry in table.Entries)
            if (entry.Value is TomlTable { Origin: TomlTableOrigin.Dotted } sub) Seal(sub);
    }

    private TomlArray ParseArray()
    {
        var (line, column) = PositionOf(_pos);
        _pos++; // '['
        var array = new TomlArray(line, column);
        while (true)
        {
            SkipWhitespaceCommentsAndNewlines();
            if (AtEnd) throw Error("unterminated array: expected a value or ']'");
            if (Current == ']') { _pos++; return array; }
            array.Add(ParseValue());
            SkipWhitespaceCommentsAndNewlines();
            if (AtEnd) throw Error("unterminated array: expected ',' or ']'");
            if (Current == ']') { _pos++; return array; }
            if (Current != ',') throw Error($"expected ',' or ']' in the array, found {DescribeCurrent()}");
            _pos++;
        }
    }
}
