using Microsoft.Extensions.Logging;
using Shake.Core.Engine;
using Shake.Core.Routing;
using Shake.Core.Writers;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Core.Cluster;

/// <summary>
/// A cluster target shared by every engine of a process: its topology, and one pipelined connection per master that
/// all engines' <see cref="ClusterWriter"/>s write through. Connections to the target are therefore the number of
/// target masters, whatever the number of engines. The topology is read with <c>CLUSTER SHARDS</c> (or
/// <c>CLUSTER NODES</c> on servers before 7.0) and refreshed when a writer meets a redirection or a lost connection;
/// concurrent refresh requests share one read.
/// </summary>
public sealed class ClusterTarget : ITargetWriterFactory, IAsyncDisposable
{
    private readonly RedisConnectionOptions _seed;
    private readonly ClusterTargetOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ClusterNodeLink> _links = new(StringComparer.Ordinal);
    private readonly List<ClusterNodeLink> _retired = [];
    private readonly Dictionary<string, long> _lastConnectWarning = new(StringComparer.Ordinal);
    // Slot -> link of its master; swapped whole on refresh so writers read it without a lock.
    private volatile ClusterNodeLink?[] _slots = new ClusterNodeLink?[ClusterSlot.Count];
    private Task? _refreshing;
    private long _refreshes;
    private bool _disposed;

    private ClusterTarget(RedisConnectionOptions seed, ClusterTargetOptions options, ILogger logger, ClusterTopology topology, TargetInfo info)
    {
        _seed = seed;
        _options = options;
        _logger = logger;
        Topology = topology;
        Info = info with { Databases = 1, ClusterEnabled = true };
    }

    /// <summary>The topology as last read.</summary>
    public ClusterTopology Topology { get; private set; }

    /// <summary>What the first master said about itself; <see cref="TargetInfo.Databases"/> is 1 (a cluster has db 0 only).</summary>
    public TargetInfo Info { get; }

    /// <summary>How often the topology was read again since start.</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    /// <summary>Options of this target.</summary>
    public ClusterTargetOptions Options => _options;

    /// <inheritdoc />
    public string Description => $"cluster {_seed.Address} ({Topology.Masters.Count} masters)";

    /// <summary>The masters' addresses currently written to.</summary>
    public IReadOnlyList<string> MasterAddresses
    {
        get
        {
            lock (_gate) return [.. _links.Keys];
        }
    }

    /// <summary>Reads the topology from <paramref name="seed"/> (any node of the cluster) and connects to every master.</summary>
    public static async Task<ClusterTarget> ConnectAsync(RedisConnectionOptions seed, ClusterTargetOptions options, ILogger logger, CancellationToken cancellation)
    {
        TargetInfo info;
        ClusterTopology topology;
        await using (var connection = await RedisConnection.ConnectAsync(seed, cancellation))
        {
            info = await TargetInfo.ReadAsync(connection, cancellation);
            if (!info.ClusterEnabled)
                throw new InvalidOperationException($"the target {seed.Address} is configured as a cluster but does not run in cluster mode (cluster_enabled:0); configure it as a standalone target");
            topology = await ClusterTopology.ReadAsync(connection, cancellation);
        }
        if (!topology.CoversAllSlots)
            throw new InvalidOperationException($"the target cluster at {seed.Address} does not serve every slot (cluster state not ok); fix the cluster first");
        var target = new ClusterTarget(seed, options, logger, topology, info);
        try
        {
            await target.ApplyAsync(topology, cancellation);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
        logger.LogInformation("target cluster {Seed}: {Masters} masters ({Addresses})", seed.Address, topology.Masters.Count, string.Join(", ", topology.Masters.Select(m => m.Address)));
        return target;
    }

    /// <inheritdoc />
    public Task<ITargetWriter> CreateAsync(TargetWriterOptions options, EngineStatistics statistics, ILogger logger, CancellationToken cancellation) =>
        Task.FromResult<ITargetWriter>(new ClusterWriter(this, options, statistics, logger));

    /// <summary>The link of the master that serves <paramref name="slot"/>, or null while no reachable master does.</summary>
    internal ClusterNodeLink? LinkFor(int slot) => _slots[slot];

    /// <summary>The link to <paramref name="address"/> (an <c>ASK</c> redirection), connecting when there is none yet.</summary>
    internal async Task<ClusterNodeLink?> LinkToAsync(string address, CancellationToken cancellation)
    {
        lock (_gate)
        {
            if (_links.TryGetValue(address, out var known) && !known.IsFailed) return known;
        }
        try
        {
            var link = await ClusterNodeLink.ConnectAsync(_seed, address, _options.PipelineLimit, cancellation);
            lock (_gate)
            {
                if (_links.TryGetValue(address, out var raced) && !raced.IsFailed)
                {
                    _retired.Add(link);
                    return raced;
                }
                if (raced is not null) _retired.Add(raced);
                _links[address] = link;
                return link;
            }
        }
        catch (Exception e) when (e is IOException or RedisConnectionException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // While a dead master waits for its failover every writer asks again and again: say it once in a while.
            var now = Environment.TickCount64;
            bool report;
            lock (_gate)
            {
                report = !_lastConnectWarning.TryGetValue(address, out var last) || now - last > 5000;
                if (report) _lastConnectWarning[address] = now;
            }
            if (report) _logger.LogWarning("cannot connect to target node {Address}: {Error} (retrying)", address, e.Message);
            return null;
        }
    }

    /// <summary>Every current link (for flushing).</summary>
    internal ClusterNodeLink[] Links()
    {
        lock (_gate) return [.. _links.Values];
    }

    /// <summary>
    /// Reads the topology again from any node that answers and reconnects where needed. Callers arriving while a read
    /// is in progress share it.
    /// </summary>
    internal Task RefreshAsync(CancellationToken cancellation)
    {
        lock (_gate)
        {
            if (_refreshing is { IsCompleted: false } running) return running;
            return _refreshing = RefreshCoreAsync(cancellation);
        }
    }

    private async Task RefreshCoreAsync(CancellationToken cancellation)
    {
        Interlocked.Increment(ref _refreshes);
        var tried = new List<string>();
        // Nodes that still answer are asked first: the seed may be the very node that went away.
        var candidates = Topology.Nodes.Where(n => n.Healthy).Select(n => n.Address)
            .Concat(Topology.Nodes.Select(n => n.Address)).Append(_seed.Address).Distinct().ToList();
        foreach (var address in candidates)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(_options.NodeTimeout);
                await using var connection = await RedisConnection.ConnectAsync(_seed with { Address = address, ConnectTimeout = _options.NodeTimeout }, timeout.Token);
                var topology = await ClusterTopology.ReadAsync(connection, timeout.Token);
                if (topology.Masters.Count == 0) continue;
                await ApplyAsync(topology, cancellation);
                return;
            }
            catch (Exception e) when (e is IOException or RedisConnectionException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException or InvalidDataException or RespProtocolException)
            {
                if (cancellation.IsCancellationRequested) throw;
                tried.Add($"{address} ({e.Message})");
            }
        }
        _logger.LogWarning("could not read the target cluster's topology from any node: {Tried}", string.Join("; ", tried));
    }

    private async Task ApplyAsync(ClusterTopology topology, CancellationToken cancellation)
    {
        var byAddress = new Dictionary<string, ClusterNodeLink?>(StringComparer.Ordinal);
        foreach (var master in topology.Masters)
        {
            ClusterNodeLink? link;
            lock (_gate) _links.TryGetValue(master.Address, out link);
            if (link is null || link.IsFailed) link = await LinkToAsync(master.Address, cancellation);
            byAddress[master.Address] = link;
        }
        var slots = new ClusterNodeLink?[ClusterSlot.Count];
        for (var slot = 0; slot < slots.Length; slot++)
        {
            var owner = topology.MasterOf(slot);
            if (owner is not null && byAddress.TryGetValue(owner, out var link)) slots[slot] = link;
        }
        lock (_gate)
        {
            Topology = topology;
            _slots = slots;
        }
    }

    /// <summary>Sends <paramref name="command"/> to every master and returns the first error, or the last reply.</summary>
    internal async Task<RespValue> ExecuteOnMastersAsync(string[] command, CancellationToken cancellation)
    {
        RespValue? last = null;
        foreach (var link in Links().Where(l => !l.IsFailed))
        {
            var reply = await link.Client.SendAsync(new Resp.Pipelining.StringCommand(command), cancellation);
            if (reply.IsError) return reply;
            last = reply;
        }
        return last ?? throw new IOException($"no master of the target cluster {_seed.Address} is reachable");
    }

    /// <summary>Sends <paramref name="command"/> to every master and returns each reply.</summary>
    internal async Task<IReadOnlyList<RespValue>> ExecuteOnEachMasterAsync(string[] command, CancellationToken cancellation)
    {
        var replies = new List<RespValue>();
        foreach (var link in Links().Where(l => !l.IsFailed))
            replies.Add(await link.Client.SendAsync(new Resp.Pipelining.StringCommand(command), cancellation));
        return replies.Count > 0 ? replies : throw new IOException($"no master of the target cluster {_seed.Address} is reachable");
    }

    /// <summary>Sends <paramref name="command"/> to the master serving the slot of <paramref name="key"/>.</summary>
    internal Task<RespValue> ExecuteForKeyAsync(string key, string[] command, CancellationToken cancellation) =>
        ExecuteForSlotAsync(ClusterSlot.Of(System.Text.Encoding.UTF8.GetBytes(key)), new Resp.Pipelining.StringCommand(command), cancellation);

    /// <summary>Sends <paramref name="command"/> to the master serving <paramref name="slot"/>.</summary>
    internal async Task<RespValue> ExecuteForSlotAsync<TCommand>(int slot, TCommand command, CancellationToken cancellation) where TCommand : Resp.Pipelining.IRespCommand
    {
        var link = LinkFor(slot);
        if (link is null || link.IsFailed)
        {
            await RefreshAsync(cancellation);
            link = LinkFor(slot) ?? throw new IOException($"no reachable master of the target cluster {_seed.Address} serves slot {slot}");
        }
        return await link.Client.SendAsync(command, cancellation);
    }

    /// <summary>Closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        List<ClusterNodeLink> links;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            links = [.. _links.Values, .. _retired];
            _links.Clear();
            _retired.Clear();
        }
        foreach (var link in links) await link.DisposeAsync();
    }
}

/// <summary>How a <see cref="ClusterTarget"/> connects and how long its writers keep retrying.</summary>
public sealed record ClusterTargetOptions
{
    /// <summary>Most requests outstanding per master connection (<c>pipeline_count_limit</c>).</summary>
    public int PipelineLimit { get; init; } = 1024;

    /// <summary>Connect and read timeout when asking a node for the topology.</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a writer keeps retrying requests that were redirected, refused with <c>TRYAGAIN</c>/<c>CLUSTERDOWN</c>/
    /// <c>LOADING</c>, or lost with their connection, before it fails naming node, slot and key. Long enough for the
    /// cluster's own failover (<c>cluster-node-timeout</c>, 15 s by default, plus the election).
    /// </summary>
    public TimeSpan RetryDeadline { get; init; } = TimeSpan.FromSeconds(120);
}
