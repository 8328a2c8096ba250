using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Shake.Testing;

/// <summary>
/// A real <c>redis-server</c> process on a free loopback port in its own temp directory.
/// Disposing stops it and removes the directory; processes still alive when the test host exits are killed.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    static RedisServer()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var p in Live.Values)
            {
                try { p.Kill(); } catch (InvalidOperationException) { }
            }
        };
    }

    private readonly Process _process;

    private RedisServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The server's working directory (RDB files, logs, cluster config).</summary>
    public string Directory { get; }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>False once the process has exited (killed or crashed).</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Path of the server's log file.</summary>
    public string LogFile => Path.Combine(Directory, "redis.log");

    /// <summary>
    /// Starts a server. <paramref name="extraArgs"/> are passed as <c>--name value</c> pairs (e.g. <c>["--requirepass", "pw"]</c>);
    /// <paramref name="serverPath"/> runs another compatible server binary (a <c>valkey-server</c>) instead of redis-server.
    /// </summary>
    public static async Task<RedisServer> StartAsync(IEnumerable<string>? extraArgs = null, int? port = null, bool clusterEnabled = false, CancellationToken cancellation = default, string? serverPath = null)
    {
        var chosen = port ?? FreePort.Next(withClusterBus: clusterEnabled);
        var directory = Path.Combine(Path.GetTempPath(), "shake-test-redis", $"{chosen}-{Guid.NewGuid():N}"[..20]);
        System.IO.Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo(serverPath ?? RedisBinaries.Server) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        string[] baseArgs =
        [
            "--port", chosen.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--logfile", "redis.log",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
            "--enable-debug-command", "yes",
        ];
        foreach (var a in baseArgs) info.ArgumentList.Add(a);
        if (clusterEnabled)
            foreach (var a in new[] { "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000" })
                info.ArgumentList.Add(a);
        foreach (var a in extraArgs ?? []) info.ArgumentList.Add(a);

        var process = ServerProcesses.Start(info, "redis-server");
        Live[process.Id] = process;
        var server = new RedisServer(process, chosen, directory);
        try
        {
            await server.WaitUntilAcceptingAsync(TimeSpan.FromSeconds(20), cancellation);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private Task WaitUntilAcceptingAsync(TimeSpan timeout, CancellationToken cancellation) =>
        ServerProcesses.WaitUntilAcceptingAsync(_process, Port, "redis-server", () => ReadLogTail(), timeout, cancellation);

    /// <summary>Runs a command through redis-cli against this server (admin use in fixtures; tests use Shake's own client).</summary>
    public Task<string> CliAsync(params string[] args) => RedisBinaries.CliAsync(["-h", "127.0.0.1", "-p", Port.ToString(), .. args]);

    /// <summary>The last lines of the server log, for failure messages.</summary>
    public string ReadLogTail(int lines = 20)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogFile).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>Kills the process (as a crash would) without removing the directory.</summary>
    public void Kill()
    {
        try { _process.Kill(); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
    }

    /// <summary>Stops the server and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        Live.TryRemove(_process.Id, out _);
        if (!_process.HasExited)
        {
            try { _process.Kill(); } catch (InvalidOperationException) { }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
        }
        _process.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
