using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Shake.Host.Commands;

/// <summary>
/// <c>shake --version</c>: prints Shake's own version. The built-in action reads the entry assembly, which is not
/// Shake when the command line is hosted elsewhere (tests, tools).
/// </summary>
public sealed class VersionAction : SynchronousCommandLineAction
{
    /// <summary>Shake's informational version, e.g. <c>0.1.0+commit</c>.</summary>
    public static string Version { get; } =
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionAction).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Version);
        return ExitCodes.Success;
    }
}
