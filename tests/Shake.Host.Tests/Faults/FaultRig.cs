using System.Diagnostics;
using System.Globalization;
using Shake.Testing;

namespace Shake.Host.Tests.Faults;

/// <summary>
/// One fault scenario: a source with a short <c>repl-timeout</c>, a large backlog and a small replica output-buffer
/// limit, a target, a <see cref="FaultProxy"/> in front of each, a data set, write load on the source and a
/// <c>shake</c> process syncing through the proxies. <see cref="ConvergeAsync"/> proves the end state: every write made
/// before it reached the target (a marker key written last arrives), then both sides compared key by key.
/// </summary>
internal sealed class FaultRig : IAsyncDisposable
{
    /// <summary>The source's <c>repl-timeout</c>: a partition longer than this makes it drop Shake.</summary>
    public const int ReplTimeoutSeconds = 8;

    private readonly TempDir _dir = new();
    private readonly List<ShakeProcess> _processes = [];

    private FaultRig(RedisServer source, RedisServer target)
    {
        Source = source;
        Target = target;
        SourceProxy = FaultProxy.Start(source.Address);
        TargetProxy = FaultProxy.Start(target.Address);
    }

    public RedisServer Source { get; }

    public RedisServer Target { get; }

    public FaultProxy SourceProxy { get; }

    public FaultProxy TargetProxy { get; }

    public WriteLoad? Load { get; private set; }

    public string Directory => _dir.Path;

    /// <summary>The config's <c>dir</c> (spool, log file, resume point), apart from the config file itself.</summary>
    public string DataDirectory => Path.Combine(_dir.Path, "data");

    public string ConfigPath { get; private set; } = "";

    /// <summary>The shake processes started so far (the last one is running, unless it exited).</summary>
    public IReadOnlyList<ShakeProcess> Processes => _processes;

    public ShakeProcess Shake => _processes[^1];

    /// <summary>
    /// Starts both servers, fills the source (<paramref name="populate"/> small keys plus every type and encoding) and
    /// writes the config (extra <c>[advanced]</c> lines in <paramref name="advanced"/>).
    /// </summary>
    public static async Task<FaultRig> CreateAsync(int populate = 20_000, string advanced = "", string[]? sourceArgs = null)
    {
        var source = await RedisServer.StartAsync(
        [
            "--repl-timeout", ReplTimeoutSeconds.ToString(CultureInfo.InvariantCulture), "--repl-backlog-size", "64mb",
            "--client-output-buffer-limit", "replica 4mb 2mb 5", "--repl-diskless-sync", "no",
            .. sourceArgs ?? [],
        ]);
        var target = await RedisServer.StartAsync();
        var rig = new FaultRig(source, target);
        System.IO.Directory.CreateDirectory(rig.DataDirectory);
        await source.CliAsync("DEBUG", "POPULATE", populate.ToString(CultureInfo.InvariantCulture), "pop", "64");
        await TestDataWriter.PopulateAsync(source.Address, 20);
        rig.ConfigPath = rig._dir.Write("sync.toml", $"""
            [sync_reader]
            address = "{rig.SourceProxy.Address}"
            [redis_writer]
            address = "{rig.TargetProxy.Address}"
            [advanced]
            dir = "{rig.DataDirectory}"
            log_interval = 1
            rdb_restore_command_behavior = "rewrite"
            empty_db_before_sync = true
            {advanced}
            """);
        return rig;
    }

    public async Task StartLoadAsync(int keys = 2000, int batch = 200) => Load = await WriteLoad.StartAsync(Source.Address, keys, batch);

    public ShakeProcess StartShake()
    {
        var process = ShakeProcess.Start(ConfigPath);
        _processes.Add(process);
        return process;
    }

    /// <summary>Waits until the RDB is streaming through the source proxy (at least <paramref name="bytes"/> forwarded).</summary>
    public async Task WaitForRdbBytesAsync(long bytes, TimeSpan timeout)
    {
        var start = SourceProxy.BytesToClient;
        var deadline = DateTime.UtcNow + timeout;
        while (SourceProxy.BytesToClient - start < bytes)
        {
            if (DateTime.UtcNow > deadline || Shake.HasExited)
                throw new TimeoutException($"the RDB did not pass the proxy ({SourceProxy.BytesToClient - start} bytes); output:\n{ShakeProcess.Tail(Shake.AllText)}");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Writes a marker on the source and waits until the target has it (time returned): everything written before it
    /// was applied, since the stream keeps source order (after a full resync the marker comes with the snapshot).
    /// </summary>
    public async Task<TimeSpan> WaitForMarkerAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var marker = "fault:marker:" + Guid.NewGuid().ToString("N");
        await Source.CliAsync("SET", marker, "1");
        while ((await Target.CliAsync("EXISTS", marker)).Trim() != "1")
        {
            if (watch.Elapsed > timeout)
                throw new TimeoutException($"the target did not catch up within {timeout.TotalSeconds:F0} s; shake output:\n{ShakeProcess.Tail(Shake.AllText)}");
            await Task.Delay(50);
        }
        await Source.CliAsync("DEL", marker);
        return watch.Elapsed;
    }

    /// <summary>Pauses the load, waits until the target caught up, compares key by key (asserting equality) and returns the number of keys compared.</summary>
    public async Task<long> ConvergeAsync(TimeSpan timeout)
    {
        if (Load is not null) await Load.PauseAsync();
        try
        {
            await WaitForMarkerAsync(timeout);
            var comparison = await RedisDataComparer.CompareAsync(RedisDataSide.Standalone(Source.Address), RedisDataSide.Standalone(Target.Address), TimeSpan.FromSeconds(5));
            Assert.True(comparison.Differences.Count == 0,
                $"{comparison.Differences.Count} of {comparison.KeysCompared} keys differ, first: {string.Join("; ", comparison.Differences.Take(5))}\nshake output:\n{ShakeProcess.Tail(Shake.AllText)}");
            Assert.True(Load?.FirstError is null, $"the write load failed: {Load?.FirstError}");
            return comparison.KeysCompared;
        }
        finally
        {
            Load?.Resume();
        }
    }

    /// <summary>Restarts counted in the output of the running shake (the supervisor's "restarting" lines).</summary>
    public int Restarts => ShakeProcess.Occurrences(Shake.Output, "the sync stopped:");

    /// <summary>How the running shake recovered: partial (+CONTINUE) and full resyncs after its first PSYNC.</summary>
    public (int Partial, int Full) Resyncs()
    {
        var output = Shake.Output;
        return (ShakeProcess.Occurrences(output, "answered PSYNC: CONTINUE"), Math.Max(0, ShakeProcess.Occurrences(output, "answered PSYNC: FULLRESYNC") - 1));
    }

    /// <summary>A short description of how the run recovered, for the fault table.</summary>
    public string Outcome()
    {
        var (partial, full) = Resyncs();
        var restarts = Restarts;
        if (restarts == 0) return "equal, no reconnect";
        return $"equal after {restarts} reconnect(s): {partial} partial, {full} full resync";
    }

    public async ValueTask DisposeAsync()
    {
        if (Load is not null) await Load.DisposeAsync();
        foreach (var process in _processes) await process.DisposeAsync();
        await SourceProxy.DisposeAsync();
        await TargetProxy.DisposeAsync();
        await Source.DisposeAsync();
        await Target.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>Appends the rows of the fault table to the file named by <c>SHAKE_FAULT_REPORT</c> (the fault-suite script sets it).</summary>
internal static class FaultReport
{
    public static void Row(string fault, string phase, string outcome, long keys, TimeSpan recovered)
    {
        var path = Environment.GetEnvironmentVariable("SHAKE_FAULT_REPORT");
        if (string.IsNullOrEmpty(path)) return;
        File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture, $"| {fault} | {phase} | {outcome} | {keys} | {recovered.TotalSeconds:F1} s |\n"));
    }

    /// <summary>Whether the long variants run (the fault-suite script sets <c>SHAKE_FAULTS_FULL=1</c>).</summary>
    public static bool Full => Environment.GetEnvironmentVariable("SHAKE_FAULTS_FULL") == "1";

    /// <summary>Iterations of the SIGKILL loop: <c>SHAKE_FAULT_ITERATIONS</c>, 3 by default.</summary>
    public static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("SHAKE_FAULT_ITERATIONS"), out var n) && n > 0 ? n : 3;
}

/// <summary>
/// Trait of the fault tests too long for every CI run: the suite's command (scripts/test.sh) leaves them out by this
/// category, and the fault-suite script (bench/e2e/faults.sh) runs them.
/// </summary>
public static class LongFault
{
    /// <summary>The trait name.</summary>
    public const string Category = "Category";

    /// <summary>The trait value.</summary>
    public const string Value = "long-fault";
}
