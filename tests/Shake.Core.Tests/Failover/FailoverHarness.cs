using System.Globalization;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Sentinel;
using Shake.Core.Tests.Engine;
using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Core.Tests.Failover;

/// <summary>A master with one replica and a sentinel watching them, and Shake following the master through the sentinel.</summary>
internal sealed class FailoverHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task<EngineSummary>? _run;

    private FailoverHarness(RedisServer master, RedisServer replica, RedisServer target, RedisSentinel sentinel)
    {
        Master = master;
        Replica = replica;
        Target = target;
        Sentinel = sentinel;
    }

    public RedisServer Master { get; }

    public RedisServer Replica { get; }

    public RedisServer Target { get; }

    public RedisSentinel Sentinel { get; }

    public SentinelSourceSync? Sync { get; private set; }

    public static async Task<FailoverHarness> StartAsync()
    {
        var master = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        var replica = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0", "--replicaof", "127.0.0.1", master.Port.ToString(CultureInfo.InvariantCulture)]);
        var target = await RedisServer.StartAsync();
        await WaitForLinkAsync(replica, TimeSpan.FromSeconds(30));
        var sentinel = await RedisSentinel.StartAsync("shake-source", master);
        await sentinel.WaitForReplicaAsync(replica, TimeSpan.FromSeconds(30));
        return new FailoverHarness(master, replica, target, sentinel);
    }

    public static async Task WaitForLinkAsync(RedisServer replica, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!(await Redis.CallAsync(replica, "INFO", "replication")).AsString()!.Contains("master_link_status:up", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{replica.Address} did not link to its master");
            await Task.Delay(50);
        }
    }

    /// <summary>Starts Shake with a source found through the sentinel.</summary>
    public void StartSync(TestLogger logger, RestoreBehavior behavior = RestoreBehavior.Panic)
    {
        var options = new EngineOptions
        {
            Source = new RedisConnectionOptions { Address = "" },
            Target = Redis.Options(Target),
            Directory = Path.Combine(Path.GetTempPath(), "shake-failover-test", Guid.NewGuid().ToString("N")),
            TryDiskless = true,
            RestoreBehavior = behavior,
            AckInterval = TimeSpan.FromMilliseconds(100),
        };
        var locator = new SentinelMasterLocator(new SentinelOptions(Sentinel.MasterName, [Sentinel.Address], "", "", false));
        Sync = new SentinelSourceSync(options, locator, logger) { RestartDelay = TimeSpan.FromMilliseconds(200), MaxRestartDelay = TimeSpan.FromSeconds(2) };
        _run = Task.Run(() => Sync.RunAsync(_stop.Token));
    }

    /// <summary>Waits until Shake streams from <paramref name="source"/> and has applied everything it holds.</summary>
    public async Task CaughtUpAsync(RedisServer source, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_run is { IsFaulted: true }) await _run;
            var offset = Redis.Info(source, "replication", "master_repl_offset");
            var snapshot = Sync?.Engine?.Statistics.Snapshot();
            if (Sync?.Master == source.Address && snapshot is { Phase: EnginePhase.Incremental, Lag: 0 } && snapshot.ConfirmedOffset >= offset) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Shake did not catch up with {source.Address} (offset {offset}): {snapshot}");
            await Task.Delay(50);
        }
    }

    public async Task<EngineSummary> StopAsync()
    {
        _stop.Cancel();
        return await _run!;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_run is not null)
        {
            try { await _run; } catch (Exception) { }
        }
        await Sentinel.DisposeAsync();
        await Master.DisposeAsync();
        await Replica.DisposeAsync();
        await Target.DisposeAsync();
        _stop.Dispose();
    }
}
