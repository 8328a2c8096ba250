using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Shake.Host.Commands;

/// <summary>
/// <c>shake --version</c>: prints Shake's own version, the commit it was built from and the runtime it runs on, e.g.
/// <c>0.1.0 (commit 231a431fc409, .NET 10.0.0, native AOT, linux-x64)</c>. The built-in action reads the entry
/// assembly, which is not Shake when the command line is hosted elsewhere (tests, tools).
/// </summary>
public sealed class VersionAction : SynchronousCommandLineAction
{
    private static readonly string Informational =
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionAction).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Shake's informational version, e.g. <c>0.1.0+commit</c>.</summary>
    public static string Version => Informational;

    /// <summary>The release part of <see cref="Version"/>, e.g. <c>0.1.0</c>.</summary>
    public static string Release => Informational.Split('+')[0];

    /// <summary>The commit the build was made from (the source-link part of <see cref="Version"/>), or null when unknown.</summary>
    public static string? Commit => Informational.IndexOf('+') is var plus and >= 0 ? Informational[(plus + 1)..] : null;

    /// <summary>How this process runs: framework, whether it is a native (AOT) executable, and its platform.</summary>
    public static string Runtime =>
        $"{RuntimeInformation.FrameworkDescription}, {(IsNativeExecutable ? "native AOT" : "JIT")}, {RuntimeInformation.RuntimeIdentifier}";

    // The JIT runtime is always started by a host that hands it the list of assemblies it may load; a native
    // executable has no such host. (RuntimeFeature.IsDynamicCodeSupported cannot tell: a project that publishes
    // natively runs with it switched off under the JIT too, so that tests behave as the native build would.)
    private static bool IsNativeExecutable => AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is null;

    /// <summary>The line <c>shake --version</c> prints.</summary>
    public static string Describe() =>
        $"{Release} (commit {(Commit is { Length: > 12 } c ? c[..12] : Commit ?? "unknown")}, {Runtime})";

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Describe());
        return ExitCodes.Success;
    }
}
