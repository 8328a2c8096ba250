using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Shake.Testing;

/// <summary>
/// A real Redis Sentinel (<c>redis-server &lt;conf&gt; --sentinel</c>) on a free loopback port, in its own temp directory,
/// monitoring one master with quorum 1. Disposing stops it and removes the directory; processes still alive when the
/// test host exits are killed.
/// </summary>
public sealed class RedisSentinel : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    static RedisSentinel()
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

    private RedisSentinel(Process process, int port, string directory, string masterName)
    {
        _process = process;
        Port = port;
        Directory = directory;
        MasterName = masterName;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The sentinel's working directory (its config file and log).</summary>
    public string Directory { get; }

    /// <summary>The name the master is monitored under.</summary>
    public string MasterName { get; }

    /// <summary>Path of the sentinel's log file.</summary>
    public string LogFile => Path.Combine(Directory, "sentinel.log");

    /// <summary>
    /// Starts a sentinel monitoring <paramref name="master"/> under <paramref name="masterName"/> (quorum 1), declaring
    /// it down after <paramref name="downAfterMs"/> of silence. Sentinel rewrites its config file, so it gets its own.
    /// </summary>
    public static async Task<RedisSentinel> StartAsync(string masterName, RedisServer master, int downAfterMs = 1000, int failoverTimeoutMs = 10_000, CancellationToken cancellation = default)
    {
        var port = FreePort.Next();
        var directory = Path.Combine(Path.GetTempPath(), "shake-test-sentinel", $"{port}-{Guid.NewGuid():N}"[..20]);
        System.IO.Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "sentinel.conf");
        var ic = CultureInfo.InvariantCulture;
        await File.WriteAllLinesAsync(config,
        [
            $"port {port.ToString(ic)}", "bind 127.0.0.1", $"dir {directory}", "logfile sentinel.log", "daemonize no", "protected-mode no",
            $"sentinel monitor {masterName} 127.0.0.1 {master.Port.ToString(ic)} 1",
            $"sentinel down-after-milliseconds {masterName} {downAfterMs.ToString(ic)}",
            $"sentinel failover-timeout {masterName} {failoverTimeoutMs.ToString(ic)}",
            $"sentinel parallel-syncs {masterName} 1",
        ], cancellation);
        var info = new ProcessStartInfo(RedisBinaries.Server) { WorkingDirectory = directory };
        info.ArgumentList.Add(config);
        info.ArgumentList.Add("--sentinel");
        var process = ServerProcesses.Start(info, "redis-server --sentinel");
        Live[process.Id] = process;
        var sentinel = new RedisSentinel(process, port, directory, masterName);
        try
        {
            await sentinel.WaitUntilAcceptingAsync(TimeSpan.FromSeconds(20), cancellation);
        }
        catch
        {
            await sentinel.DisposeAsync();
            throw;
        }
        return sentinel;
    }

    private Task WaitUntilAcceptingAsync(TimeSpan timeout, CancellationToken cancellation) =>
        ServerProcesses.WaitUntilAcceptingAsync(_process, Port, "sentinel", () => ReadLogTail(), timeout, cancellation);

    /// <summary>Runs a command through redis-cli against this sentinel.</summary>
    public Task<string> CliAsync(params string[] args) => RedisBinaries.CliAsync(["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), .. args]);

    /// <summary>The master's address as the sentinel names it now (<c>SENTINEL get-master-addr-by-name</c>).</summary>
    public async Task<string> MasterAddressAsync()
    {
        var lines = (await CliAsync("SENTINEL", "get-master-addr-by-name", MasterName)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 2 ? $"{lines[0]}:{lines[1]}" : "";
    }

    /// <summary>Waits until the sentinel lists <paramref name="replica"/> among the master's replicas, connected.</summary>
    public async Task WaitForReplicaAsync(RedisServer replica, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var text = await CliAsync("SENTINEL", "replicas", MasterName);
            // Each replica is a run of field/value lines starting at "name".
            var lines = text.Split('\n', StringSplitOptions.TrimEntries);
            var starts = Enumerable.Range(0, lines.Length).Where(i => lines[i] == "name").Append(lines.Length).ToList();
            for (var b = 0; b + 1 < starts.Count; b++)
            {
                var block = lines[starts[b]..starts[b + 1]];
                string? Field(string name) => Enumerable.Range(0, block.Length - 1).Where(i => block[i] == name).Select(i => block[i + 1]).FirstOrDefault();
                if (Field("port") == replica.Port.ToString(CultureInfo.InvariantCulture) && Field("flags") == "slave" && Field("master-link-status") == "ok") return;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"sentinel {Address} does not list {replica.Address} as a healthy replica: {text}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until the sentinel names <paramref name="address"/> as the master (after a failover).</summary>
    public async Task WaitForMasterAsync(string address, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await MasterAddressAsync() != address)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"sentinel {Address} still names {await MasterAddressAsync()} as the master, not {address}: {ReadLogTail()}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// <c>SENTINEL FAILOVER</c>: promotes a replica without agreement from other sentinels; asked again while the
    /// sentinel answers that no replica is good enough yet or a failover is already in progress.
    /// </summary>
    public async Task FailoverAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var reply = (await CliAsync("SENTINEL", "FAILOVER", MasterName)).Trim();
            if (reply == "OK") return;
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"SENTINEL FAILOVER {MasterName} answered {reply}");
            await Task.Delay(200);
        }
    }

    /// <summary>The last lines of the sentinel log, for failure messages.</summary>
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

    /// <summary>Stops the sentinel and deletes its directory.</summary>
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
