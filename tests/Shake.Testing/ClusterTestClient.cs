using System.Text;
using Shake.Core.Cluster;
using Shake.Core.Routing;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Testing;

/// <summary>
/// A small cluster client for tests: sends each command to the master owning its key's slot, follows <c>-MOVED</c>
/// (re-reading the layout) and <c>-ASK</c> (with <c>ASKING</c>), and waits out <c>TRYAGAIN</c>/<c>CLUSTERDOWN</c>.
/// Other error replies are returned. One command at a time (calls are serialized).
/// </summary>
public sealed class ClusterTestClient : IAsyncDisposable
{
    private const int MaxAttempts = 30;

    private readonly RedisConnectionOptions _options;
    private readonly Dictionary<string, RedisConnection> _connections = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ClusterTestClient(RedisConnectionOptions options, ClusterTopology topology)
    {
        _options = options;
        Topology = topology;
    }

    /// <summary>The layout used for routing; re-read after each MOVED.</summary>
    public ClusterTopology Topology { get; private set; }

    /// <summary>MOVED replies followed so far.</summary>
    public int MovedCount { get; private set; }

    /// <summary>ASK replies followed so far.</summary>
    public int AskCount { get; private set; }

    /// <summary>Reads the layout from <paramref name="seedAddress"/> (or <paramref name="moreSeeds"/>) and returns a client for it.</summary>
    public static async Task<ClusterTestClient> ConnectAsync(string seedAddress, IEnumerable<string>? moreSeeds = null, string? password = null, CancellationToken cancellation = default)
    {
        var options = new RedisConnectionOptions { Address = seedAddress, Password = password };
        return new ClusterTestClient(options, await ClusterTopology.DiscoverAsync(options, moreSeeds, cancellation));
    }

    /// <summary>A client for <paramref name="cluster"/>, seeded with all its running nodes.</summary>
    public static Task<ClusterTestClient> ConnectAsync(RedisCluster cluster, CancellationToken cancellation = default) =>
        ConnectAsync(cluster.SeedAddress, cluster.LiveNodes.Select(n => n.Address), cancellation: cancellation);

    /// <summary>Re-reads the layout from any node known to the current one.</summary>
    public async Task RefreshAsync(CancellationToken cancellation = default)
    {
        var known = Topology.Nodes.Where(n => n.Healthy && n.Address.Length > 0).Select(n => n.Address).Prepend(_options.Address);
        Topology = await ClusterTopology.DiscoverAsync(_options, known, cancellation);
    }

    /// <summary>Runs a command whose key is its second argument (<c>SET key value</c>, <c>HGETALL key</c> ...).</summary>
    public Task<RespValue> ExecuteAsync(params string[] arguments) =>
        ExecuteAsync([.. arguments.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a))], 1, CancellationToken.None);

    /// <summary>Runs a command routed by the key at <paramref name="keyIndex"/> of <paramref name="arguments"/> (0 is the command name).</summary>
    public async Task<RespValue> ExecuteAsync(ReadOnlyMemory<byte>[] arguments, int keyIndex, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arguments.Length, keyIndex + 1, nameof(arguments));
        await _gate.WaitAsync(cancellation);
        try
        {
            return await RouteAsync(arguments, ClusterSlot.Of(arguments[keyIndex].Span), cancellation);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a command without routing on the node at <paramref name="address"/> (e.g. DBSIZE on one master).</summary>
    public async Task<RespValue> ExecuteOnAsync(string address, string[] arguments, CancellationToken cancellation = default)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            return await (await ConnectionAsync(address, cancellation)).ExecuteAsync(arguments, cancellation);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The number of data keys on all masters (DBSIZE summed, Shake's checkpoint keys left out).</summary>
    public async Task<long> CountKeysAsync(CancellationToken cancellation = default)
    {
        long total = 0;
        foreach (var master in Topology.Masters)
        {
            total += (await ExecuteOnAsync(master.Address, ["DBSIZE"], cancellation)).ThrowIfError(master.Address, "DBSIZE").AsInt64();
            // Shake's checkpoints are not data (a handful of keys: KEYS is cheap here).
            total -= (await ExecuteOnAsync(master.Address, ["KEYS", RedisDataComparer.CheckpointPrefix + "*"], cancellation)).ThrowIfError(master.Address, "KEYS").Items.Count;
        }
        return total;
    }

    /// <summary>
    /// Writes the data set of <see cref="TestDataWriter"/> (every type and encoding, streams with groups, TTLs;
    /// <paramref name="keysPerKind"/> keys of each of its <see cref="TestDataWriter.Kinds"/>, spread over the slots by their
    /// names), pipelined to each key's owner; commands redirected meanwhile are re-sent one by one in their original order.
    /// Returns the number of keys written.
    /// </summary>
    public async Task<int> WriteDatasetAsync(int keysPerKind, CancellationToken cancellation = default)
    {
        var commands = TestDataWriter.Commands(keysPerKind, db: 0).ToList();
        var byOwner = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < commands.Count; i++)
        {
            var owner = Topology.MasterOf(ClusterSlot.Of(commands[i].Key)) ?? throw new InvalidOperationException($"slot of key '{Encoding.UTF8.GetString(commands[i].Key)}' has no owner");
            if (!byOwner.TryGetValue(owner, out var list)) byOwner[owner] = list = [];
            list.Add(i);
        }
        var failures = new DatasetReplies();
        await Task.WhenAll(byOwner.Select(async pair =>
        {
            var connection = await RedisConnection.ConnectAsync(_options with { Address = pair.Key }, cancellation);
            await using var client = new PipelinedClient<int>(connection, 512, failures);
            foreach (var index in pair.Value)
                await client.EnqueueAsync(index, new BytesCommand([.. commands[index].Arguments.Select(a => (ReadOnlyMemory<byte>)a)]), cancellation);
            await client.DrainAsync(cancellation);
        }));
        if (failures.Failed.Values.FirstOrDefault(f => f.Kind is not (RespErrorKind.Moved or RespErrorKind.Ask or RespErrorKind.TryAgain or RespErrorKind.ClusterDown)) is { } fatal)
            throw new InvalidOperationException($"writing the data set: {failures.Failed.Count} commands failed, e.g. {fatal.Message}");
        foreach (var index in failures.Failed.Keys.Order())
        {
            var command = commands[index];
            await _gate.WaitAsync(cancellation);
            try
            {
                (await RouteAsync([.. command.Arguments.Select(a => (ReadOnlyMemory<byte>)a)], ClusterSlot.Of(command.Key), cancellation))
                    .ThrowIfError(command: Encoding.UTF8.GetString(command.Arguments[0]));
            }
            finally
            {
                _gate.Release();
            }
        }
        return keysPerKind * TestDataWriter.Kinds.Count;
    }

    private async Task<RespValue> RouteAsync(ReadOnlyMemory<byte>[] arguments, int slot, CancellationToken cancellation)
    {
        var address = Topology.MasterOf(slot);
        var asking = false;
        RespValue? last = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (address is null)
            {
                await Task.Delay(100, cancellation);
                await RefreshAsync(cancellation);
                address = Topology.MasterOf(slot);
                continue;
            }
            try
            {
                var connection = await ConnectionAsync(address, cancellation);
                if (asking) (await connection.ExecuteAsync(["ASKING"], cancellation)).ThrowIfError(address, "ASKING");
                last = await connection.ExecuteAsync(arguments, cancellation);
            }
            catch (RedisConnectionException)
            {
                // The node died or was failed over and dropped us: wait for the cluster to promote another, then re-route.
                await ForgetAsync(address);
                await Task.Delay(200, cancellation);
                await RefreshAsync(cancellation);
                address = Topology.MasterOf(slot);
                asking = false;
                continue;
            }
            asking = false;
            if (!last.IsError) return last;
            var error = last.AsError();
            switch (error.Kind)
            {
                case RespErrorKind.Moved:
                    MovedCount++;
                    await RefreshAsync(cancellation);
                    address = error.Endpoint;
                    break;
                case RespErrorKind.Ask:
                    AskCount++;
                    address = error.Endpoint;
                    asking = true;
                    break;
                case RespErrorKind.TryAgain or RespErrorKind.ClusterDown:
                    await Task.Delay(100, cancellation);
                    await RefreshAsync(cancellation);
                    address = Topology.MasterOf(slot);
                    break;
                default:
                    return last;
            }
        }
        throw new InvalidOperationException($"slot {slot}: still redirected after {MaxAttempts} attempts, last reply {last}");
    }

    private async Task ForgetAsync(string address)
    {
        if (!_connections.Remove(address, out var connection)) return;
        await connection.DisposeAsync();
    }

    private async Task<RedisConnection> ConnectionAsync(string address, CancellationToken cancellation)
    {
        if (_connections.TryGetValue(address, out var connection)) return connection;
        connection = await RedisConnection.ConnectAsync(_options with { Address = address }, cancellation);
        _connections[address] = connection;
        return connection;
    }

    /// <summary>Closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values) await connection.DisposeAsync();
        _connections.Clear();
        _gate.Dispose();
    }

    private sealed class DatasetReplies : IReplyHandler<int>
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<int, RespError> Failed = new();

        public void OnReply(in int tag, in RespReply reply)
        {
            if (reply.IsError) Failed[tag] = reply.GetError();
        }

        public void OnFailed(in int tag, Exception error) => Failed[tag] = RespError.Parse("ERR " + error.Message);
    }
}
