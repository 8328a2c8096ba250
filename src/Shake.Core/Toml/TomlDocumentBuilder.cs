using Tomlyn;
using Tomlyn.Syntax;

namespace Shake.Core.Toml;

/// <summary>
/// Builds the document model from a Tomlyn syntax tree that parsed without errors. It applies TOML's rules on
/// defining keys and tables once more while building (Tomlyn's validation has already applied them), so a tree
/// that breaks them still ends in a <see cref="TomlException"/>, never in a wrong model.
/// </summary>
internal sealed class TomlDocumentBuilder
{
    private readonly TomlTable _root = new(1, 1, TomlTableOrigin.Header);
    private readonly List<TomlError> _errors = [];

    private readonly record struct KeyPart(string Name, int Line, int Column);

    public static TomlTable Build(DocumentSyntax document)
    {
        var builder = new TomlDocumentBuilder();
        foreach (var keyValue in document.KeyValues) builder.AddKeyValue(builder._root, keyValue);
        foreach (var table in document.Tables)
        {
            var current = builder.AddHeader(table);
            if (current is null) continue;
            foreach (var keyValue in table.Items) builder.AddKeyValue(current, keyValue);
        }
        if (builder._errors.Count > 0) throw new TomlException(builder._errors);
        return builder._root;
    }

    // ---- keys ----

    private static List<KeyPart> PartsOf(KeySyntax key)
    {
        var parts = new List<KeyPart>(1 + key.DotKeys.ChildrenCount) { PartOf(key.Key!) };
        foreach (var dotted in key.DotKeys) parts.Add(PartOf(dotted.Key!));
        return parts;
    }

    private static KeyPart PartOf(BareKeyOrStringValueSyntax part)
    {
        var name = part switch
        {
            BareKeySyntax bare => bare.Key!.Text!,
            StringValueSyntax quoted => quoted.Value!,
            _ => throw new InvalidOperationException($"unexpected key syntax {part.GetType().Name}"),
        };
        var (line, column) = Position(part);
        return new KeyPart(name, line, column);
    }

    private static (int Line, int Column) Position(SyntaxNode node) => (node.Span.Start.Line + 1, node.Span.Start.Column + 1);

    private static bool IsBareKeyChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';

    private static string Dotted(List<KeyPart> parts, int count) => string.Join('.', parts.Take(count).Select(p => FormatKey(p.Name)));

    private static string FormatKey(string key) => key.Length > 0 && key.All(IsBareKeyChar) ? key : TomlValue.Quote(key);

    private void Error(KeyPart at, string reason) => _errors.Add(new TomlError(at.Line, at.Column, reason));

    // ---- key/value pairs ----

    private void AddKeyValue(TomlTable table, KeyValueSyntax keyValue)
    {
        var key = PartsOf(keyValue.Key!);
        var value = ValueOf(keyValue.Value!);
        var target = table;
        for (var i = 0; i < key.Count - 1; i++)
        {
            var part = key[i];
            if (!target.TryGetEntry(part.Name, out var entry))
            {
                var created = new TomlTable(part.Line, part.Column, TomlTableOrigin.Dotted);
                target.Add(new TomlEntry(part.Name, part.Line, part.Column, created));
                target = created;
                continue;
            }
            if (entry.Value is not TomlTable sub)
            {
                Error(part, $"cannot use dotted key {Dotted(key, key.Count)}: {Dotted(key, i + 1)} is already a {entry.Value.Kind.Describe()} (line {entry.Line})");
                return;
            }
            if (sub.Origin == TomlTableOrigin.Inline)
            {
                Error(part, $"cannot add keys to the inline table {Dotted(key, i + 1)} (line {entry.Line})");
                return;
            }
            if (sub.Origin is TomlTableOrigin.Header or TomlTableOrigin.ArrayElement)
            {
                Error(part, $"cannot extend table {Dotted(key, i + 1)} with dotted keys: it is defined by a [header] (line {entry.Line})");
                return;
            }
            target = sub;
        }
        var last = key[^1];
        if (target.TryGetEntry(last.Name, out var existing))
        {
            Error(last, $"duplicate key {Dotted(key, key.Count)} (first defined at line {existing.Line})");
            return;
        }
        target.Add(new TomlEntry(last.Name, last.Line, last.Column, value));
    }

    // ---- headers ----

    /// <summary>Creates or reopens the table a [header] or [[header]] names; null after an error.</summary>
    private TomlTable? AddHeader(TableSyntaxBase header)
    {
        var key = PartsOf(header.Name!);
        var (headerLine, headerColumn) = Position(header.OpenBracket!);
        var isArray = header is TableArraySyntax;
        var table = _root;
        for (var i = 0; i < key.Count - 1; i++)
        {
            var part = key[i];
            if (!table.TryGetEntry(part.Name, out var entry))
            {
                var created = new TomlTable(part.Line, part.Column, TomlTableOrigin.Implicit);
                table.Add(new TomlEntry(part.Name, part.Line, part.Column, created));
                table = created;
            }
            else if (entry.Value is TomlTable sub)
            {
                if (sub.Origin == TomlTableOrigin.Inline)
                {
                    Error(part, $"cannot add to the inline table {Dotted(key, i + 1)} (line {entry.Line})");
                    return null;
                }
                table = sub;
            }
            else if (entry.Value is TomlArray { IsArrayOfTables: true } array)
            {
                table = (TomlTable)array.Items[^1];
            }
            else
            {
                Error(part, $"{Dotted(key, i + 1)} is already a {entry.Value.Kind.Describe()} (line {entry.Line}), not a table");
                return null;
            }
        }

        var last = key[^1];
        var name = Dotted(key, key.Count);
        table.TryGetEntry(last.Name, out var found);
        if (isArray)
        {
            TomlArray tables;
            if (found is null)
            {
                tables = new TomlArray(headerLine, headerColumn, isArrayOfTables: true);
                table.Add(new TomlEntry(last.Name, last.Line, last.Column, tables));
            }
            else if (found.Value is TomlArray { IsArrayOfTables: true } existing)
            {
                tables = existing;
            }
            else
            {
                Error(last, $"[[{name}]] cannot extend {name}: it is already a {Describe(found.Value)} (line {found.Line})");
                return null;
            }
            var element = new TomlTable(headerLine, headerColumn, TomlTableOrigin.ArrayElement);
            tables.Add(element);
            return element;
        }

        if (found is null)
        {
            var created = new TomlTable(headerLine, headerColumn, TomlTableOrigin.Header);
            table.Add(new TomlEntry(last.Name, last.Line, last.Column, created));
            return created;
        }
        if (found.Value is TomlTable { Origin: TomlTableOrigin.Implicit } implicitTable)
        {
            implicitTable.Origin = TomlTableOrigin.Header;
            return implicitTable;
        }
        Error(last, $"table [{name}] is defined more than once: it is already a {Describe(found.Value)} (line {found.Line})");
        return null;
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

    // ---- values ----

    private TomlNode ValueOf(ValueSyntax syntax)
    {
        var (line, column) = Position(syntax);
        return syntax switch
        {
            StringValueSyntax s => new TomlValue(TomlKind.String, s.Value!, line, column),
            IntegerValueSyntax i => new TomlValue(TomlKind.Integer, i.Value, line, column),
            FloatValueSyntax f => new TomlValue(TomlKind.Float, f.Value, line, column),
            BooleanValueSyntax b => new TomlValue(TomlKind.Boolean, b.Value, line, column),
            DateTimeValueSyntax d => DateTimeOf(d.Value, line, column),
            ArraySyntax a => ArrayOf(a, line, column),
            InlineTableSyntax t => InlineTableOf(t, line, column),
            _ => throw new InvalidOperationException($"unexpected value syntax {syntax.GetType().Name}"),
        };
    }

    private static TomlValue DateTimeOf(TomlDateTime value, int line, int column) => value.Kind switch
    {
        TomlDateTimeKind.OffsetDateTimeByZ or TomlDateTimeKind.OffsetDateTimeByNumber =>
            new TomlValue(TomlKind.OffsetDateTime, value.DateTime, line, column),
        TomlDateTimeKind.LocalDateTime => new TomlValue(TomlKind.LocalDateTime, value.DateTime.DateTime, line, column),
        TomlDateTimeKind.LocalDate => new TomlValue(TomlKind.LocalDate, DateOnly.FromDateTime(value.DateTime.DateTime), line, column),
        _ => new TomlValue(TomlKind.LocalTime, TimeOnly.FromTimeSpan(value.DateTime.TimeOfDay), line, column),
    };

    private TomlArray ArrayOf(ArraySyntax syntax, int line, int column)
    {
        var array = new TomlArray(line, column);
        foreach (var item in syntax.Items) array.Add(ValueOf(item.Value!));
        return array;
    }

    private TomlTable InlineTableOf(InlineTableSyntax syntax, int line, int column)
    {
        var table = new TomlTable(line, column, TomlTableOrigin.Dotted);
        foreach (var item in syntax.Items) AddKeyValue(table, item.KeyValue!);
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
}
