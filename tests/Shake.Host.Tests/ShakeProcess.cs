using System.Diagnostics;
using System.Text;

namespace Shake.Host.Tests;

/// <summary>
/// The <c>shake</c> executable as a child process (<c>dotnet shake.dll</c>), so a test can send it SIGKILL or SIGTERM
/// and read everything it printed. Optionally started through a wrapper (e.g. <c>unshare</c>) that runs the given
/// shell command line, where <c>{shake}</c> stands for the executable's command.
/// </summary>
internal sealed class ShakeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Lock _gate = new();

    private ShakeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The command that runs shake with <paramref name="args"/>, quoted for a shell.</summary>
    public static string Command(params string[] args) =>
        string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "shake.dll") }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''") + "'"));

    /// <summary>Starts <c>shake <paramref name="args"/></c>.</summary>
    public static ShakeProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "shake.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return new ShakeProcess(Process.Start(info)!);
    }

    /// <summary>Starts <paramref name="program"/> with <paramref name="args"/> (a wrapper that runs shake itself).</summary>
    public static ShakeProcess StartWrapped(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        return new ShakeProcess(Process.Start(info)!);
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get { lock (_gate) return _output.ToString(); }
    }

    public string Error
    {
        get { lock (_gate) return _error.ToString(); }
    }

    /// <summary>Everything printed so far, standard output then standard error.</summary>
    public string AllText => Output + Error;

    /// <summary>Resident memory of the process in bytes (VmRSS), 0 once it exited.</summary>
    public long ResidentBytes()
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Waits until what it printed (either stream) holds <paramref name="text"/> at least <paramref name="count"/> times; fails naming the output otherwise.</summary>
    public async Task WaitForAsync(string text, TimeSpan timeout, int count = 1)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Occurrences(AllText, text) < count)
        {
            if (_process.HasExited) { _process.WaitForExit(); if (Occurrences(AllText, text) >= count) return; }
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"shake did not print '{text}' ({count}x) within {timeout.TotalSeconds:F0} s (exited: {_process.HasExited}); output:\n{Tail(AllText)}");
            await Task.Delay(50);
        }
    }

    public static int Occurrences(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    public static string Tail(string text, int lines = 40) => string.Join('\n', text.Split('\n').TakeLast(lines));

    /// <summary>SIGKILL: no clean stop, no resume point.</summary>
    public void Kill()
    {
        try { _process.Kill(); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM and wait for the exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        return await WaitForExitAsync(timeout);
    }

    /// <summary>Waits for the exit (killing the process when it takes longer) and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"shake did not exit within {timeout.TotalSeconds:F0} s; output:\n{Tail(AllText)}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
