namespace Shake.Host.Commands;

/// <summary>Process exit codes of <c>shake</c>.</summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;

    /// <summary>A check failed: a source or target did not answer, refused the credentials, or a file is missing.</summary>
    public const int CheckFailed = 1;

    /// <summary>The command line or the configuration is wrong.</summary>
    public const int ConfigError = 2;

    /// <summary>The configuration is valid but asks for something Shake does not do yet.</summary>
    public const int NotImplemented = 3;

    /// <summary>The engine stopped on a fatal error (one line on stderr says which).</summary>
    public const int Failed = 4;

    /// <summary><c>shake verify</c> ran to the end and found keys that differ between source and target.</summary>
    public const int DifferencesFound = 5;
}
