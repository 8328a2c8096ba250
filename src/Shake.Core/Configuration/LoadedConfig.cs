namespace Shake.Core.Configuration;

/// <summary>A configuration that loaded without errors, with the warnings and not-implemented notes found on the way.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Diagnostics">Warnings and not-implemented notes, in line order (never errors).</param>
/// <param name="ConfigName">The file name (or description) it was read from.</param>
public sealed record LoadedConfig(ShakeConfig Config, IReadOnlyList<ConfigDiagnostic> Diagnostics, string ConfigName);
