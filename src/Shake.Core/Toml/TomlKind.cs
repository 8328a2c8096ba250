namespace Shake.Core.Toml;

/// <summary>The kind of a TOML node: one of the eight TOML value types, an array, or a table.</summary>
public enum TomlKind
{
    /// <summary>A string (basic, literal, or their multi-line forms).</summary>
    String,
    /// <summary>A 64-bit signed integer.</summary>
    Integer,
    /// <summary>A 64-bit floating point number, including <c>inf</c> and <c>nan</c>.</summary>
    Float,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>A date and time with an offset (value is a <see cref="DateTimeOffset"/>).</summary>
    OffsetDateTime,
    /// <summary>A date and time without offset (value is a <see cref="DateTime"/> of unspecified kind).</summary>
    LocalDateTime,
    /// <summary>A date without time (value is a <see cref="DateOnly"/>).</summary>
    LocalDate,
    /// <summary>A time of day without date (value is a <see cref="TimeOnly"/>).</summary>
    LocalTime,
    /// <summary>An array (<see cref="TomlArray"/>).</summary>
    Array,
    /// <summary>A table (<see cref="TomlTable"/>).</summary>
    Table,
}

/// <summary>Names of <see cref="TomlKind"/> as used in messages.</summary>
public static class TomlKindNames
{
    /// <summary>The lower-case name used in error messages, e.g. <c>integer</c> or <c>offset date-time</c>.</summary>
    public static string Describe(this TomlKind kind) => kind switch
    {
        TomlKind.String => "string",
        TomlKind.Integer => "integer",
        TomlKind.Float => "float",
        TomlKind.Boolean => "boolean",
        TomlKind.OffsetDateTime => "offset date-time",
        TomlKind.LocalDateTime => "local date-time",
        TomlKind.LocalDate => "local date",
        TomlKind.LocalTime => "local time",
        TomlKind.Array => "array",
        TomlKind.Table => "table",
        _ => kind.ToString(),
    };
}
