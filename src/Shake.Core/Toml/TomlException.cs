namespace Shake.Core.Toml;

/// <summary>
/// A TOML document is malformed. <see cref="Errors"/> lists every problem found, in document order;
/// <see cref="Line"/>, <see cref="Column"/> and <see cref="Reason"/> describe the first.
/// </summary>
public sealed class TomlException : Exception
{
    /// <summary>Creates the exception for a single error; the message gets the position appended.</summary>
    public TomlException(string reason, int line, int column) : this([new TomlError(line, column, reason)])
    {
    }

    /// <summary>Creates the exception for one or more errors (at least one), in document order.</summary>
    public TomlException(IReadOnlyList<TomlError> errors) : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Every error found, in document order.</summary>
    public IReadOnlyList<TomlError> Errors { get; }

    /// <summary>What is wrong at the first error, without the position.</summary>
    public string Reason => Errors[0].Reason;

    /// <summary>1-based line of the first error.</summary>
    public int Line => Errors[0].Line;

    /// <summary>1-based column of the first error.</summary>
    public int Column => Errors[0].Column;

    private static string BuildMessage(IReadOnlyList<TomlError> errors)
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count, nameof(errors));
        if (errors.Count == 1) return $"TOML error at {errors[0]}";
        return $"{errors.Count} TOML errors:" + string.Concat(errors.Select(e => Environment.NewLine + "  " + e));
    }
}
