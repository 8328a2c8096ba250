using System.Globalization;
using System.Text.Json;
using Shake.Core.Toml;
using Shake.Testing;

namespace Shake.Core.Tests.Toml;

/// <summary>Runs every file toml-test lists for TOML 1.0 as its own test case.</summary>
public class TomlTestSuiteTests
{
    private static string? SuiteRoot => SharedAssets.PathOf("toml-test", "tests");

    private static IEnumerable<string> Listed(string prefix) =>
        SuiteRoot is null
            ? []
            : File.ReadLines(Path.Combine(SuiteRoot, "files-toml-1.0.0"))
                .Select(l => l.Trim())
                .Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.EndsWith(".toml", StringComparison.Ordinal));

    public static TheoryData<string> ValidCases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Listed("valid/")) data.Add(file);
        if (data.Count == 0) data.Add("(shared absent)");
        return data;
    }

    public static TheoryData<string> InvalidCases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Listed("invalid/")) data.Add(file);
        if (data.Count == 0) data.Add("(shared absent)");
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(ValidCases))]
    public void ValidDocumentDecodesToTheTaggedJson(string file)
    {
        var tomlPath = Path.Combine(SuiteRoot!, file);
        var jsonPath = Path.ChangeExtension(tomlPath, ".json");
        var table = TomlParser.Parse(File.ReadAllBytes(tomlPath));
        using var expected = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var mismatch = TaggedJson.Compare(expected.RootElement, table, "$");
        Assert.True(mismatch is null, mismatch);
    }

    [SharedTheory]
    [MemberData(nameof(InvalidCases))]
    public void InvalidDocumentIsRejected(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(SuiteRoot!, file));
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(bytes));
        Assert.True(error.Line >= 1 && error.Column >= 1);
    }

    [SharedFact]
    public void TheListHasBothKinds()
    {
        Assert.True(Listed("valid/").Count() > 100);
        Assert.True(Listed("invalid/").Count() > 100);
    }
}

/// <summary>Compares a parsed TOML node with toml-test's tagged JSON encoding.</summary>
internal static class TaggedJson
{
    public static string? Compare(JsonElement expected, TomlNode actual, string path)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Array:
                if (actual is not TomlArray array) return $"{path}: expected an array, got {actual.Kind}";
                var items = expected.EnumerateArray().ToList();
                if (items.Count != array.Items.Count) return $"{path}: expected {items.Count} elements, got {array.Items.Count}";
                for (var i = 0; i < items.Count; i++)
                    if (Compare(items[i], array.Items[i], $"{path}[{i}]") is { } inner) return inner;
                return null;
            case JsonValueKind.Object when IsTaggedValue(expected):
                if (actual is not TomlValue value) return $"{path}: expected a value, got {actual.Kind}";
                return CompareValue(expected.GetProperty("type").GetString()!, expected.GetProperty("value").GetString()!, value, path);
            case JsonValueKind.Object:
                if (actual is not TomlTable table) return $"{path}: expected a table, got {actual.Kind}";
                var properties = expected.EnumerateObject().ToList();
                if (properties.Count != table.Count)
                    return $"{path}: expected keys [{string.Join(", ", properties.Select(p => p.Name))}], got [{string.Join(", ", table.Entries.Select(e => e.Key))}]";
                foreach (var property in properties)
                {
                    var node = table[property.Name];
                    if (node is null) return $"{path}: missing key {property.Name}";
                    if (Compare(property.Value, node, $"{path}.{property.Name}") is { } inner) return inner;
                }
                return null;
            default:
                return $"{path}: unexpected JSON {expected.ValueKind}";
        }
    }

    private static bool IsTaggedValue(JsonElement element)
    {
        var properties = element.EnumerateObject().ToList();
        return properties.Count == 2
               && element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
               && element.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String;
    }

    private static string? CompareValue(string type, string text, TomlValue actual, string path)
    {
        var expectedKind = type switch
        {
            "string" => TomlKind.String,
            "integer" => TomlKind.Integer,
            "float" => TomlKind.Float,
            "bool" => TomlKind.Boolean,
            "datetime" => TomlKind.OffsetDateTime,
            "datetime-local" => TomlKind.LocalDateTime,
            "date-local" => TomlKind.LocalDate,
            "time-local" => TomlKind.LocalTime,
            _ => throw new InvalidOperationException($"unknown tag {type}"),
        };
        if (actual.Kind != expectedKind) return $"{path}: expected {type}, got {actual.Kind} ({actual})";
        var equal = expectedKind switch
        {
            TomlKind.String => (string)actual.Value == text,
            TomlKind.Integer => (long)actual.Value == long.Parse(text, CultureInfo.InvariantCulture),
            TomlKind.Float => FloatEquals(ParseFloat(text), (double)actual.Value),
            TomlKind.Boolean => (bool)actual.Value == (text == "true"),
            // Decode the expected text with the parser itself: it accepts the same RFC 3339 forms.
            _ => Equals(ParseScalar(text), actual.Value),
        };
        return equal ? null : $"{path}: expected {type} {text}, got {actual}";
    }

    private static object ParseScalar(string text) => ((TomlValue)TomlParser.Parse("v = " + text)["v"]!).Value;

    private static double ParseFloat(string text) => text switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" or "+nan" or "-nan" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static bool FloatEquals(double a, double b) => (double.IsNaN(a) && double.IsNaN(b)) || a.Equals(b);
}
