using System.Diagnostics;

namespace Shake.Testing;

/// <summary>Locates <c>redis-server</c> and <c>redis-cli</c> and runs <c>redis-cli</c> for fixture administration.</summary>
public static class RedisBinaries
{
    /// <summary>Path of redis-server: <c>SHAKE_REDIS_SERVER</c> or the one on PATH.</summary>
    public static string Server => Environment.GetEnvironmentVariable("SHAKE_REDIS_SERVER") ?? Find("redis-server");

    /// <summary>Path of redis-cli: <c>SHAKE_REDIS_CLI</c> or the one on PATH.</summary>
    public static string Cli => Environment.GetEnvironmentVariable("SHAKE_REDIS_CLI") ?? Find("redis-cli");

    /// <summary>
    /// Path of a <c>valkey-server</c> for the tests that need a Valkey primary: <c>SHAKE_VALKEY_SERVER</c>, the one on
    /// PATH, or the Valkey 8.0.1 build in <c>../shared/servers</c>; null when there is none (Debian's bookworm packages
    /// carry no Valkey).
    /// </summary>
    public static string? ValkeyServer
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("SHAKE_VALKEY_SERVER");
            if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
            try { return Find("valkey-server"); }
            catch (InvalidOperationException)
            {
                // The shared folder beside the repository carries a Valkey 8.0 build for tests.
                var shared = SharedAssets.PathOf("servers", "valkey-server-8.0.1");
                return shared is not null && File.Exists(shared) ? shared : null;
            }
        }
    }

    private static string Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                     .Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"]))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"{name} was not found on PATH; install the Debian package redis-server (the README's test command does this).");
    }

    /// <summary>Runs redis-cli with the given arguments and returns its standard output; throws with stderr when it fails.</summary>
    public static async Task<string> CliAsync(IEnumerable<string> args, TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        var info = new ProcessStartInfo(Cli) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-cli");
        process.StandardInput.Close();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"redis-cli {string.Join(' ', info.ArgumentList)} did not finish in time");
        }
        var output = await stdout;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"redis-cli {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {await stderr}{output}");
        return output;
    }
}
