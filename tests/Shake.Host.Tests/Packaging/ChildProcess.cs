using System.Diagnostics;

namespace Shake.Host.Tests.Packaging;

/// <summary>A program run to its end with captured output, or started and stopped by the test.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private ChildProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts <paramref name="program"/>; <paramref name="environment"/> entries are added (a null value removes one).</summary>
    public static ChildProcess Start(string program, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return new ChildProcess(Process.Start(info)!);
    }

    /// <summary>Runs to the end (killed after <paramref name="timeout"/>) and returns exit code and output.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var child = Start(program, args, workingDirectory, environment);
        return await child.WaitAsync(timeout);
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Sends a POSIX signal (TERM, INT).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString()])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the end (killing the process after <paramref name="timeout"/>) and returns exit code and output.</summary>
    public async Task<(int Code, string Output, string Error)> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            throw new TimeoutException($"{_process.StartInfo.FileName} did not finish in {timeout}: {await _stdout}{await _stderr}");
        }
        return (_process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>Kills the process if it still runs.</summary>
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
