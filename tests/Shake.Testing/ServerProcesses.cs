using System.Diagnostics;
using System.Net.Sockets;

namespace Shake.Testing;

/// <summary>What the server fixtures (plain servers, sentinels) share about their processes: start, and wait until the port answers.</summary>
internal static class ServerProcesses
{
    /// <summary>Starts <paramref name="info"/> with its output read and dropped (a full pipe would block the server).</summary>
    public static Process Start(ProcessStartInfo info, string what)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {what}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Returns once 127.0.0.1:<paramref name="port"/> accepts a connection; throws with the log's tail when the process exits first.</summary>
    public static async Task WaitUntilAcceptingAsync(Process process, int port, string what, Func<string> logTail, TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{what} on port {port} exited with {process.ExitCode}: {logTail()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, cancellation);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, cancellation);
            }
        }
    }
}
