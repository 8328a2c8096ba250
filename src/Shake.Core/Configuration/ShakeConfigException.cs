namespace Shake.Core.Configuration;

/// <summary>A configuration has errors; <see cref="Diagnostics"/> lists all of them (and any warnings).</summary>
public sealed class ShakeConfigException : Exception
{
    /// <summary>Creates the exception; the message lists every error, one per line.</summary>
    public ShakeConfigException(string configName, IReadOnlyList<ConfigDiagnostic> diagnostics)
        : base(BuildMessage(configName, diagnostics))
    {
        ConfigName = configName;
        Diagnostics = diagnostics;
    }

    /// <summary>The file name (or description) of the configuration.</summary>
    public string ConfigName { get; }

    /// <summary>Every diagnostic found, errors and warnings, in line order.</summary>
    public IReadOnlyList<ConfigDiagnostic> Diagnostics { get; }

    /// <summary>Only the errors.</summary>
    public IEnumerable<ConfigDiagnostic> Errors => Diagnostics.Where(d => d.Severity == ConfigSeverity.Error);

    private static string BuildMessage(string configName, IReadOnlyList<ConfigDiagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == ConfigSeverity.Error).ToList();
        return $"{configName}: {errors.Count} configuration error{(errors.Count == 1 ? "" : "s")}:" + Environment.NewLine
               + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
    }
}
