using Xunit;

namespace Shake.Testing;

/// <summary>
/// Two 3-master/3-replica clusters, <see cref="A"/> and <see cref="B"/>, started once and shared by every test of an xunit
/// collection (declare <c>[CollectionDefinition("cluster pair")] class … : ICollectionFixture&lt;ClusterPairFixture&gt;</c>
/// in the test assembly; tests of one collection run one after another). Each test starts with <see cref="ResetAsync"/>:
/// both clusters are emptied and back in their created layout, so tests may fail over, kill masters or reshard freely.
/// After a reset <see cref="A"/>/<see cref="B"/> may be new clusters on new ports: read them again, never keep them across tests.
/// Disposing stops every process, whatever state the tests left.
/// </summary>
public sealed class ClusterPairFixture : IAsyncLifetime
{
    private RedisCluster? _a;
    private RedisCluster? _b;

    /// <summary>The first cluster (typically the source).</summary>
    public RedisCluster A => _a ?? throw new InvalidOperationException("the cluster pair is not started");

    /// <summary>The second cluster (typically the target).</summary>
    public RedisCluster B => _b ?? throw new InvalidOperationException("the cluster pair is not started");

    /// <summary>How many times a cluster had to be recreated because a test left it in a layout that could not be restored.</summary>
    public int Recreations { get; private set; }

    /// <summary>Starts both clusters side by side.</summary>
    public async Task InitializeAsync()
    {
        var a = RedisCluster.StartAsync();
        var b = RedisCluster.StartAsync();
        try
        {
            await Task.WhenAll(a, b);
        }
        finally
        {
            if (a.IsCompletedSuccessfully) _a = a.Result;
            if (b.IsCompletedSuccessfully) _b = b.Result;
        }
    }

    /// <summary>
    /// Makes both clusters empty and in their created layout: a failover (graceful, forced, or the cluster's own after
    /// a kill whose node then came back) is undone by failing back; a killed node, moved slots, or added/removed masters
    /// cannot be undone cheaply and robustly, so that cluster is stopped and a fresh one created (several seconds).
    /// Then every master is FLUSHALLed and every replica is waited on until it is empty too.
    /// </summary>
    public async Task ResetAsync(CancellationToken cancellation = default)
    {
        _a = await ResetAsync(A, cancellation);
        _b = await ResetAsync(B, cancellation);
    }

    private async Task<RedisCluster> ResetAsync(RedisCluster cluster, CancellationToken cancellation)
    {
        bool restored;
        try
        {
            restored = await cluster.TryRestoreLayoutAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            restored = false;
        }
        if (!restored)
        {
            await cluster.DisposeAsync();
            cluster = await RedisCluster.StartAsync(cancellation: cancellation);
            Recreations++;
        }
        await cluster.FlushAllAsync(cancellation);
        return cluster;
    }

    /// <summary>Stops both clusters.</summary>
    public async Task DisposeAsync()
    {
        if (_a is not null) await _a.DisposeAsync();
        if (_b is not null) await _b.DisposeAsync();
    }
}
