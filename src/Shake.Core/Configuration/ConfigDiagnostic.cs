namespace Shake.Core.Configuration;

/// <summary>How serious a configuration diagnostic is.</summary>
public enum ConfigSeverity
{
    /// <summary>The configuration cannot be used.</summary>
    Error,
    /// <summary>Something is ignored or has no effect (an unknown key, a Go-runtime option).</summary>
    Warning,
    /// <summary>A recognised option is set, but Shake does not implement it yet, so it has no effect.</summary>
    NotImplemented,
}

/// <summary>A problem or remark about one configuration key.</summary>
/// <param name="Severity">How serious it is.</param>
/// <param name="Key">The dotted key, e.g. <c>advanced.log_level</c> (a section name for a whole section).</param>
/// <param name="Line">1-based line in the file; 0 when the key is missing.</param>
/// <param name="Message">What is wrong and, for values, what is allowed.</param>
public sealed record ConfigDiagnostic(ConfigSeverity Severity, string Key, int Line, string Message)
{
    /// <summary>A one-line form: <c>error: line 12: advanced.log_level: ...</c>.</summary>
    public override string ToString()
    {
        var severity = Severity switch
        {
            ConfigSeverity.Error => "error",
            ConfigSeverity.Warning => "warning",
            _ => "not implemented",
        };
        var where = Line > 0 ? $"line {Line}: " : "";
        return $"{severity}: {where}{Key}: {Message}";
    }
}
