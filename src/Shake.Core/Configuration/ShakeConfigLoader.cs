using Shake.Core.Toml;

namespace Shake.Core.Configuration;

/// <summary>
/// Loads a redis-shake v3 or v4 configuration into a <see cref="ShakeConfig"/>. The format is recognised from the
/// sections present. Unknown keys and options Shake does not act on come back as diagnostics; any error (TOML syntax,
/// wrong type or value, missing required key) throws a <see cref="ShakeConfigException"/> listing all of them.
/// </summary>
public static class ShakeConfigLoader
{
    private static readonly string[] V3Markers = ["type", "source", "target"];
    private static readonly string[] V4Markers = [.. V4ConfigReader.ReaderSections, "redis_writer", "filter", "module"];

    /// <summary>Loads a file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ShakeConfigException">The file has errors.</exception>
    public static LoadedConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"configuration file {path} does not exist", path);
        return Load(File.ReadAllBytes(path), path);
    }

    /// <summary>Loads UTF-8 TOML text; <paramref name="configName"/> names it in messages.</summary>
    public static LoadedConfig Load(ReadOnlySpan<byte> utf8, string configName)
    {
        TomlTable document;
        try
        {
            document = TomlParser.Parse(utf8);
        }
        catch (TomlException e)
        {
            throw SyntaxError(configName, e);
        }
        return Load(document, configName);
    }

    /// <summary>Loads TOML text; <paramref name="configName"/> names it in messages.</summary>
    public static LoadedConfig LoadText(string text, string configName = "(text)")
    {
        TomlTable document;
        try
        {
            document = TomlParser.Parse(text);
        }
        catch (TomlException e)
        {
            throw SyntaxError(configName, e);
        }
        return Load(document, configName);
    }

    /// <summary>Loads an already parsed document.</summary>
    public static LoadedConfig Load(TomlTable document, string configName)
    {
        var diagnostics = new List<ConfigDiagnostic>();
        var v3 = V3Markers.Where(document.ContainsKey).ToList();
        var v4 = V4Markers.Where(document.ContainsKey).ToList();
        if (v3.Count > 0 && v4.Count > 0)
        {
            diagnostics.Add(new ConfigDiagnostic(ConfigSeverity.Error, v4[0], document.TryGetEntry(v4[0], out var e) ? e.Line : 0,
                $"the file mixes redis-shake v3 keys ({string.Join(", ", v3)}) with v4 sections ({string.Join(", ", v4)}); use one format"));
            throw new ShakeConfigException(configName, diagnostics);
        }
        var config = v3.Count > 0 ? V3ConfigReader.Read(document, diagnostics) : V4ConfigReader.Read(document, diagnostics);
        var ordered = diagnostics.OrderBy(d => d.Line).ToList();
        if (ordered.Any(d => d.Severity == ConfigSeverity.Error)) throw new ShakeConfigException(configName, ordered);
        return new LoadedConfig(config, ordered, configName);
    }

    private static ShakeConfigException SyntaxError(string configName, TomlException e) =>
        new(configName, [.. e.Errors.Select(error => new ConfigDiagnostic(ConfigSeverity.Error, "(TOML syntax)", error.Line, $"column {error.Column}: {error.Reason}"))]);
}
