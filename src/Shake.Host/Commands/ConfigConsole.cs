using Shake.Core.Configuration;

namespace Shake.Host.Commands;

/// <summary>Loads a configuration for a command and reports its diagnostics the same way for every command.</summary>
public static class ConfigConsole
{
    /// <summary>
    /// Loads <paramref name="file"/>, writing warnings and not-implemented notes (or every error) to
    /// <paramref name="error"/>. Returns null when the configuration cannot be used.
    /// </summary>
    public static LoadedConfig? TryLoad(FileInfo file, TextWriter error)
    {
        LoadedConfig loaded;
        try
        {
            loaded = ShakeConfigLoader.Load(file.FullName);
        }
        catch (FileNotFoundException)
        {
            error.WriteLine($"shake: configuration file {file} does not exist");
            return null;
        }
        catch (ShakeConfigException e)
        {
            error.WriteLine($"shake: {file} has {e.Errors.Count()} configuration error{(e.Errors.Count() == 1 ? "" : "s")}:");
            foreach (var d in e.Diagnostics) error.WriteLine($"  {d}");
            return null;
        }
        catch (IOException e)
        {
            error.WriteLine($"shake: cannot read {file}: {e.Message}");
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"shake: cannot read {file}: {e.Message}");
            return null;
        }
        foreach (var d in loaded.Diagnostics) error.WriteLine($"shake: {file.Name}: {d}");
        return loaded;
    }
}
