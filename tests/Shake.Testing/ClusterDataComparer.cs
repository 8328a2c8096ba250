using System.Globalization;
using System.Text;
using Shake.Core.Cluster;
using Shake.Core.Routing;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Xunit;

namespace Shake.Testing;

/// <summary>
/// Compares two data sets key by key like <see cref="RedisDataComparer"/>, where either side may be a cluster: a cluster
/// side's layout is discovered from its nodes, every master is SCANned, and each key is read from the master owning its
/// slot on each side (a standalone side has one node that owns everything). A key found on a master that does not own its
/// slot is reported as misplaced. Types, values and expiry times (absolute, within the tolerance) are compared.
/// </summary>
public static class ClusterDataComparer
{
    private const int Parallelism = 64;

    /// <summary>Fails the test listing the first differing keys.</summary>
    public static async Task AssertEqualAsync(RedisDataSide source, RedisDataSide target, TimeSpan ttlTolerance, CancellationToken cancellation = default)
    {
        var result = await CompareAsync(source, target, ttlTolerance, cancellation);
        if (result.Differences.Count > 0) Assert.Fail(RedisDataComparer.Describe(result, source, target));
    }

    /// <summary>Compares db 0 of both sides and returns every difference, in key order, with the number of keys looked at.</summary>
    public static async Task<DataComparison> CompareAsync(RedisDataSide source, RedisDataSide target, TimeSpan ttlTolerance, CancellationToken cancellation = default)
    {
        await using var sourceSide = await SideReader.OpenAsync(source, "source", cancellation);
        await using var targetSide = await SideReader.OpenAsync(target, "target", cancellation);
        var sourceKeys = await sourceSide.ScanAsync(cancellation);
        var targetKeys = await targetSide.ScanAsync(cancellation);
        var keys = sourceKeys.Keys.Union(targetKeys.Keys).Where(k => !k.StartsWith(RedisDataComparer.CheckpointPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var found = new List<KeyDifference>[keys.Count];
        using var gate = new SemaphoreSlim(Parallelism);
        await Task.WhenAll(keys.Select(async (key, index) =>
        {
            await gate.WaitAsync(cancellation);
            try
            {
                var bytes = Encoding.Latin1.GetBytes(key);
                var shown = KeySnapshot.Render(bytes)[1..^1];
                var differences = new List<KeyDifference>();
                sourceSide.CheckPlacement(shown, bytes, sourceKeys.GetValueOrDefault(key), differences);
                targetSide.CheckPlacement(shown, bytes, targetKeys.GetValueOrDefault(key), differences);
                var s = await sourceSide.ReadAsync(bytes, cancellation);
                var t = await targetSide.ReadAsync(bytes, cancellation);
                if (RedisDataComparer.Diff(0, shown, s, t, ttlTolerance) is { } difference) differences.Add(difference);
                found[index] = differences;
            }
            finally
            {
                gate.Release();
            }
        }));
        return new DataComparison(keys.Count, [.. found.SelectMany(d => d)]);
    }

    /// <summary>One side opened for reading: a pipelined client per master and, for a cluster, the layout.</summary>
    private sealed class SideReader : IAsyncDisposable
    {
        private readonly Dictionary<string, PipelinedClient<int>> _masters = new(StringComparer.Ordinal);
        private readonly ClusterTopology? _topology;
        private readonly string _name;

        private SideReader(ClusterTopology? topology, string name)
        {
            _topology = topology;
            _name = name;
        }

        public static async Task<SideReader> OpenAsync(RedisDataSide side, string name, CancellationToken cancellation)
        {
            var seed = side.Nodes[0];
            ClusterTopology? topology = null;
            await using (var probe = await RedisConnection.ConnectAsync(seed, cancellation))
            {
                var info = (await probe.ExecuteAsync(["INFO", "cluster"], cancellation)).ThrowIfError(seed.Address, "INFO").AsString()!;
                if (info.Contains("cluster_enabled:1", StringComparison.Ordinal))
                    topology = await ClusterTopology.DiscoverAsync(seed, side.Nodes.Skip(1).Select(n => n.Address), cancellation);
                else if (side.Nodes.Count > 1)
                    throw new ArgumentException($"{name} {side} lists several nodes but {seed.Address} is not a cluster node");
            }
            var reader = new SideReader(topology, name);
            try
            {
                var addresses = topology is null ? [seed.Address] : topology.Masters.Select(m => m.Address);
                foreach (var address in addresses)
                    reader._masters[address] = new PipelinedClient<int>(await RedisConnection.ConnectAsync(seed with { Address = address }, cancellation), 256);
                return reader;
            }
            catch
            {
                await reader.DisposeAsync();
                throw;
            }
        }

        /// <summary>Every key (bytes as Latin-1 chars) with the masters whose SCAN returned it.</summary>
        public async Task<Dictionary<string, List<string>>> ScanAsync(CancellationToken cancellation)
        {
            var keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (address, client) in _masters)
            {
                var cursor = "0";
                do
                {
                    var reply = (await client.SendAsync(new StringCommand(["SCAN", cursor, "COUNT", "1000"]), cancellation)).ThrowIfError(address, "SCAN");
                    cursor = reply.Items[0].AsString()!;
                    foreach (var key in reply.Items[1].Items)
                    {
                        var text = Encoding.Latin1.GetString(key.Bytes);
                        if (!keys.TryGetValue(text, out var holders)) keys[text] = holders = [];
                        if (!holders.Contains(address)) holders.Add(address);
                    }
                } while (cursor != "0");
            }
            return keys;
        }

        /// <summary>Adds a difference for each master holding <paramref name="key"/> without owning its slot.</summary>
        public void CheckPlacement(string shown, byte[] key, List<string>? holders, List<KeyDifference> differences)
        {
            if (_topology is null || holders is null) return;
            var slot = ClusterSlot.Of(key);
            var owner = _topology.MasterOf(slot);
            foreach (var holder in holders.Where(h => h != owner))
                differences.Add(new KeyDifference(0, shown, $"misplaced on {_name}",
                    _name == "source" ? $"on {holder}, slot {slot.ToString(CultureInfo.InvariantCulture)} is owned by {owner ?? "nobody"}" : "-",
                    _name == "source" ? "-" : $"on {holder}, slot {slot.ToString(CultureInfo.InvariantCulture)} is owned by {owner ?? "nobody"}"));
        }

        /// <summary>The key as its owner holds it (missing when its slot has no owner).</summary>
        public Task<KeySnapshot> ReadAsync(byte[] key, CancellationToken cancellation)
        {
            var owner = _topology is null ? _masters.Keys.First() : _topology.MasterOf(ClusterSlot.Of(key));
            return owner is not null && _masters.TryGetValue(owner, out var client)
                ? KeySnapshot.ReadAsync(client, key, cancellation)
                : Task.FromResult(KeySnapshot.Missing);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _masters.Values) await client.DisposeAsync();
        }
    }
}
