namespace Shake.Core.Configuration;

/// <summary>
/// The default of <c>[advanced] dir</c> when a configuration does not set it: the <c>SHAKE_DIR</c> environment
/// variable when set (the container image sets it to <c>/data</c>, its volume), else redis-shake's <c>data</c>.
/// </summary>
public static class DefaultDirectory
{
    /// <summary>The environment variable that overrides the default.</summary>
    public const string Variable = "SHAKE_DIR";

    /// <summary>redis-shake's default, relative to the working directory.</summary>
    public const string Fallback = "data";

    /// <summary>The default as this process sees it now.</summary>
    public static string Current => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dir ? dir : Fallback;
}
