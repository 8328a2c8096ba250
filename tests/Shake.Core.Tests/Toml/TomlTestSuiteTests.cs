using System.Globalization;
using System.Text.Json;
using Shake.Core.Toml;
using Shake.Testing;

namespace Shake.Core.Tests.Toml;

/// <summary>
/// Runs every file toml-test lists for TOML 1.0 and for TOML 1.1 as its own test case: valid documents decode to
/// their tagged JSON, invalid ones are rejected with a position. The parser implements TOML 1.1, so the TOML 1.0
/// cases that TOML 1.1 made valid are listed in <see cref="MadeValidByToml11"/> and checked to be accepted.
/// </summary>
public class TomlTestSuiteTests
{
    private const string Toml10 = "files-toml-1.0.0";
    private const string Toml11 = "files-toml-1.1.0";

    /// <summary>TOML 1.0 <c>invalid</c> cases that are valid TOML 1.1, with the 1.1 change that allows them.</summary>
    public static readonly IReadOnlyDictionary<string, string> MadeValidByToml11 = new Dictionary<string, string>
    {
        ["invalid/datetime/no-secs.toml"] = "TOML 1.1 makes the seconds of a time optional",
        ["invalid/local-datetime/no-secs.toml"] = "TOML 1.1 makes the seconds of a time optional",
        ["invalid/local-time/no-secs.toml"] = "TOML 1.1 makes the seconds of a time optional",
        ["invalid/inline-table/linebreak-01.toml"] = "TOML 1.1 allows newlines inside inline tables",
        ["invalid/inline-table/linebreak-02.toml"] = "TOML 1.1 allows newlines inside inline tables",
        ["invalid/inline-table/linebreak-03.toml"] = "TOML 1.1 allows newlines inside inline tables",
        ["invalid/inline-table/linebreak-04.toml"] = "TOML 1.1 allows newlines inside inline tables",
        ["invalid/inline-table/trailing-comma.toml"] = "TOML 1.1 allows a trailing comma in inline tables",
        ["invalid/string/basic-byte-escapes.toml"] = "TOML 1.1 adds the \\xHH escape to basic strings",
    };

    private static string? SuiteRoot => SharedAssets.PathOf("toml-test", "tests");

    private static IEnumerable<string> Listed(string list, string prefix) =>
        SuiteRoot is null
            ? []
            : File.ReadLines(Path.Combine(SuiteRoot, list))
                .Select(l => l.Trim())
                .Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.EndsWith(".toml", StringComparison.Ordinal));

    private static TheoryData<string, string> Cases(string prefix, Func<string, bool> include)
    {
        var data = new TheoryData<string, string>();
        foreach (var list in new[] { Toml10, Toml11 })
            foreach (var file in Listed(list, prefix).Where(include))
                data.Add(list, file);
        if (data.Count == 0) data.Add("(shared absent)", "");
        return data;
    }

    public static TheoryData<string, string> ValidCases() => Cases("valid/", _ => true);

    public static TheoryData<string, string> InvalidCases() => Cases("invalid/", file => !MadeValidByToml11.ContainsKey(file));

    public static TheoryData<string> Toml11Changes()
    {
        var data = new TheoryData<string>();
        foreach (var file in MadeValidByToml11.Keys) data.Add(file);
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(ValidCases))]
    public void ValidDocumentDecodesToTheTaggedJson(string list, string file)
    {
        _ = list;
        var tomlPath = Path.Combine(SuiteRoot!, file);
        var jsonPath = Path.ChangeExtension(tomlPath, ".json");
        var table = TomlParser.Parse(File.ReadAllBytes(tomlPath));
        using var expected = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var mismatch = TaggedJson.Compare(expected.RootElement, table, "$");
        Assert.True(mismatch is null, mismatch);
    }

    [SharedTheory]
    [MemberData(nameof(InvalidCases))]
    public void InvalidDocumentIsRejected(string list, string file)
    {
        _ = list;
        var bytes = File.ReadAllBytes(Path.Combine(SuiteRoot!, file));
        var error = Assert.Throws<TomlException>(() => TomlParser.Parse(bytes));
        Assert.NotEmpty(error.Errors);
        Assert.All(error.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, e.ToString()));
    }

    [SharedTheory]
    [MemberData(nameof(Toml11Changes))]
    public void Toml10InvalidCaseMadeValidByToml11IsAccepted(string file)
    {
        Assert.Contains(file, Listed(Toml10, "invalid/"));
        Assert.DoesNotContain(file, Listed(Toml11, "invalid/"));
        TomlParser.Parse(File.ReadAllBytes(Path.Combine(SuiteRoot!, file)));
    }

    [SharedFact]
    public void TheListsHaveBothKinds()
    {
        foreach (var list in new[] { Toml10, Toml11 })
        {
            Assert.True(Listed(list, "valid/").Count() > 100);
            Assert.True(Listed(list, "invalid/").Count() > 100);
        }
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
