using System.Globalization;

namespace Shake.Core.Toml;

/// <summary>
/// A scalar TOML value. <see cref="Value"/> is a <see cref="string"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="DateTimeOffset"/>, <see cref="DateTime"/>, <see cref="DateOnly"/> or <see cref="TimeOnly"/>
/// according to <see cref="Kind"/>.
/// </summary>
public sealed class TomlValue : TomlNode
{
    /// <summary>Creates a value; <paramref name="value"/> must match <paramref name="kind"/>.</summary>
    public TomlValue(TomlKind kind, object value, int line, int column) : base(line, column)
    {
        var matches = kind switch
        {
            TomlKind.String => value is string,
            TomlKind.Integer => value is long,
            TomlKind.Float => value is double,
            TomlKind.Boolean => value is bool,
            TomlKind.OffsetDateTime => value is DateTimeOffset,
            TomlKind.LocalDateTime => value is DateTime,
            TomlKind.LocalDate => value is DateOnly,
            TomlKind.LocalTime => value is TimeOnly,
            _ => false,
        };
        if (!matches) throw new ArgumentException($"a {kind.Describe()} value cannot hold {value.GetType().Name}", nameof(value));
        Kind = kind;
        Value = value;
    }

    /// <inheritdoc />
    public override TomlKind Kind { get; }

    /// <summary>The decoded value (see the class summary for its CLR type).</summary>
    public object Value { get; }

    /// <summary>The value as TOML would write it (strings quoted with basic-string escapes).</summary>
    public override string ToString() => Kind switch
    {
        TomlKind.String => Quote((string)Value),
        TomlKind.Integer => ((long)Value).ToString(CultureInfo.InvariantCulture),
        TomlKind.Float => FormatFloat((double)Value),
        TomlKind.Boolean => (bool)Value ? "true" : "false",
        TomlKind.OffsetDateTime => ((DateTimeOffset)Value).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        TomlKind.LocalDateTime => ((DateTime)Value).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        TomlKind.LocalDate => ((DateOnly)Value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TomlKind.LocalTime => ((TimeOnly)Value).ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? "",
    };

    /// <summary>Writes a string as a TOML basic string, escaping quotes, backslashes and control characters.</summary>
    public static string Quote(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length + 2);
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7F) builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    private static string FormatFloat(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }
}
