using System.Diagnostics;
using System.Text;

namespace Shake.Host.Tests;

/// <summary>The real <c>shake</c> executable as a child process, its output collected, killed on dispose.</summary>
internal sealed class ShakeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ShakeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static ShakeProcess Start(string config)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "shake.dll"));
        info.ArgumentList.Add(config);
        return new ShakeProcess(Process.Start(info)!);
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) await Task.Delay(200);
            if (_process.HasExited && !Output.Contains(text, StringComparison.Ordinal)) throw new InvalidOperationException($"shake exited ({_process.ExitCode}) before writing '{text}':\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"shake did not write '{text}' in {timeout.TotalSeconds:0}s:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: no clean stop, no resume point.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM and wait for the clean stop.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
