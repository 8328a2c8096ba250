using System.Diagnostics;

namespace Shake.Host.Tests.Packaging;

/// <summary>
/// The native (AOT) <c>shake</c> executable for tests: <c>SHAKE_NATIVE</c> when set (scripts/test.sh publishes it once
/// before the suite), else published here once per test run with scripts/publish.sh, the command the Dockerfile runs.
/// </summary>
internal static class NativeShake
{
    /// <summary>The environment variable naming an already published native shake.</summary>
    public const string Variable = "SHAKE_NATIVE";

    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>Why native tests cannot run here, or null when they can (a published binary, or a C toolchain to publish one).</summary>
    public static string? MissingReason
    {
        get
        {
            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path)
                return File.Exists(path) ? null : $"skipped: {Variable} names {path}, which does not exist";
            return OnPath("clang") || OnPath("gcc")
                ? null
                : $"skipped: the native executable cannot be built here: Native AOT links with clang or gcc (with zlib's headers), and neither is on PATH; set {Variable} to a published shake to run these tests";
        }
    }

    /// <summary>The path of the native executable (published on first use).</summary>
    public static Task<string> PathAsync() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? Task.FromResult(path) : Published.Value;

    private static async Task<string> PublishAsync()
    {
        var output = Directory.CreateTempSubdirectory("shake-native-").FullName;
        var info = new ProcessStartInfo("bash") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(RepositoryPaths.Of("scripts", "publish.sh"));
        info.ArgumentList.Add(output);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(timeout.Token);
        var executable = (await stdout).Trim();
        if (process.ExitCode != 0 || !File.Exists(executable))
            throw new InvalidOperationException($"scripts/publish.sh failed (exit {process.ExitCode}): {await stderr}");
        return executable;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}

/// <summary>A fact that needs the native executable; skipped with the reason when it can be neither found nor built.</summary>
public sealed class NativeFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the native executable is not available.</summary>
    public NativeFactAttribute()
    {
        if (NativeShake.MissingReason is { } reason) Skip = reason;
    }
}
