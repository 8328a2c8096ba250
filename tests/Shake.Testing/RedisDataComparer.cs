using System.Globalization;
using System.Text;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;
using Xunit;

namespace Shake.Testing;

/// <summary>
/// Compares two Redis data sets key by key: every key of the source must exist on the target with the same type, the
/// same logical value (strings byte for byte, lists in order, sets sorted, zsets with scores, hashes sorted, streams with
/// entries, groups, consumers and pending entries) and a PTTL within a tolerance; keys only on the target are reported too.
/// </summary>
public static class RedisDataComparer
{
    /// <summary>
    /// Keys Shake keeps in a target for itself (its checkpoints, <c>[advanced] checkpoint_key</c>'s default prefix): not
    /// data, so left out of every comparison; tests of the checkpoints read them directly.
    /// </summary>
    public const string CheckpointPrefix = "shake-checkpoint";

    private const int ShownDifferences = 20;
    private const int Parallelism = 64;

    /// <summary>Fails the test listing the first differing keys. <paramref name="dbs"/> empty means every db holding keys on either side.</summary>
    public static Task AssertEqualAsync(string sourceAddress, string targetAddress, TimeSpan ttlTolerance, params int[] dbs) =>
        AssertEqualAsync(RedisDataSide.Standalone(sourceAddress), RedisDataSide.Standalone(targetAddress), ttlTolerance, dbs);

    /// <summary>Fails the test listing the first differing keys. <paramref name="dbs"/> null or empty means every db holding keys on either side.</summary>
    public static async Task AssertEqualAsync(RedisDataSide source, RedisDataSide target, TimeSpan ttlTolerance, IReadOnlyList<int>? dbs = null, CancellationToken cancellation = default)
    {
        var result = await CompareAsync(source, target, ttlTolerance, dbs, cancellation);
        if (result.Differences.Count == 0) return;
        Assert.Fail(Describe(result, source, target));
    }

    /// <summary>The failure message: counts per kind of difference, then the first differing keys.</summary>
    internal static string Describe(DataComparison result, RedisDataSide source, RedisDataSide target)
    {
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{result.Differences.Count} of {result.KeysCompared} keys differ between source {source} and target {target}")
            .Append(CultureInfo.InvariantCulture, $" ({string.Join(", ", result.Differences.GroupBy(d => d.What.Split(" (")[0]).Select(g => $"{g.Count()} {g.Key}"))}); first ones:");
        foreach (var difference in result.Differences.Take(ShownDifferences)) message.Append("\n  ").Append(difference);
        return message.ToString();
    }

    /// <summary>Compares and returns every difference (in db, key order) with the number of keys looked at.</summary>
    public static async Task<DataComparison> CompareAsync(RedisDataSide source, RedisDataSide target, TimeSpan ttlTolerance, IReadOnlyList<int>? dbs = null, CancellationToken cancellation = default)
    {
        if (dbs is null || dbs.Count == 0)
            dbs = [.. (await DatabasesWithKeysAsync(source, cancellation)).Union(await DatabasesWithKeysAsync(target, cancellation)).Order()];
        var differences = new List<KeyDifference>();
        long compared = 0;
        foreach (var db in dbs)
        {
            await using var sourceNodes = await NodeSet.OpenAsync(source, db, cancellation);
            await using var targetNodes = await NodeSet.OpenAsync(target, db, cancellation);
            var sourceKeys = await sourceNodes.ScanAsync(cancellation);
            var targetKeys = await targetNodes.ScanAsync(cancellation);
            var keys = sourceKeys.Keys.Union(targetKeys.Keys).Where(k => !k.StartsWith(CheckpointPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            compared += keys.Count;
            var found = new KeyDifference?[keys.Count];
            using var gate = new SemaphoreSlim(Parallelism);
            await Task.WhenAll(keys.Select(async (key, index) =>
            {
                await gate.WaitAsync(cancellation);
                try
                {
                    var bytes = Encoding.Latin1.GetBytes(key);
                    var s = sourceKeys.TryGetValue(key, out var sn) ? await KeySnapshot.ReadAsync(sourceNodes[sn], bytes, cancellation) : KeySnapshot.Missing;
                    var t = targetKeys.TryGetValue(key, out var tn) ? await KeySnapshot.ReadAsync(targetNodes[tn], bytes, cancellation) : KeySnapshot.Missing;
                    found[index] = Diff(db, KeySnapshot.Render(bytes)[1..^1], s, t, ttlTolerance);
                }
                finally
                {
                    gate.Release();
                }
            }));
            differences.AddRange(found.OfType<KeyDifference>());
        }
        return new DataComparison(compared, differences);
    }

    internal static KeyDifference? Diff(int db, string key, KeySnapshot s, KeySnapshot t, TimeSpan tolerance)
    {
        if (!s.Exists && !t.Exists) return null;
        if (!t.Exists) return new KeyDifference(db, key, "missing on target", s.Type, "(none)");
        if (!s.Exists) return new KeyDifference(db, key, "extra on target", "(none)", t.Type);
        if (s.Type != t.Type) return new KeyDifference(db, key, "type", s.Type, t.Type);
        if (s.Value != t.Value)
        {
            var at = 0;
            while (at < s.Value.Length && at < t.Value.Length && s.Value[at] == t.Value[at]) at++;
            return new KeyDifference(db, key, $"{s.Type} value (first difference at char {at})", Around(s.Value, at), Around(t.Value, at));
        }
        var ttlDiffers = (s.ExpireAtMs < 0 || t.ExpireAtMs < 0) ? s.ExpireAtMs != t.ExpireAtMs : Math.Abs(s.ExpireAtMs - t.ExpireAtMs) > tolerance.TotalMilliseconds;
        if (ttlDiffers) return new KeyDifference(db, key, "ttl", FormatExpiry(s.ExpireAtMs), FormatExpiry(t.ExpireAtMs));
        return null;
    }

    private static string FormatExpiry(long expireAtMs) =>
        expireAtMs == -1 ? "no ttl" : $"expires at {DateTimeOffset.FromUnixTimeMilliseconds(expireAtMs):yyyy-MM-dd HH:mm:ss.fff} UTC";

    private static string Around(string value, int at)
    {
        var start = Math.Max(0, at - 40);
        var end = Math.Min(value.Length, at + 60);
        return (start > 0 ? "…" : "") + value[start..end] + (end < value.Length ? $"… ({value.Length} chars)" : "");
    }

    private static async Task<IEnumerable<int>> DatabasesWithKeysAsync(RedisDataSide side, CancellationToken cancellation)
    {
        var dbs = new HashSet<int>();
        foreach (var node in side.Nodes)
        {
            await using var connection = await RedisConnection.ConnectAsync(node, cancellation);
            var keyspace = (await connection.ExecuteAsync(["INFO", "keyspace"], cancellation)).ThrowIfError(node.Address, "INFO").AsString()!;
            foreach (var line in keyspace.Split('\n'))
                if (line.StartsWith("db", StringComparison.Ordinal) && int.TryParse(line.AsSpan(2, line.IndexOf(':') - 2), CultureInfo.InvariantCulture, out var db))
                    dbs.Add(db);
        }
        return dbs;
    }

    /// <summary>Pipelined clients to every node of a side, all on one db.</summary>
    private sealed class NodeSet : IAsyncDisposable
    {
        private readonly List<PipelinedClient<int>> _clients = [];

        public PipelinedClient<int> this[int node] => _clients[node];

        public static async Task<NodeSet> OpenAsync(RedisDataSide side, int db, CancellationToken cancellation)
        {
            if (side.IsCluster && db != 0) throw new ArgumentException($"cluster {side} has only db 0, asked for db {db}");
            var set = new NodeSet();
            try
            {
                foreach (var node in side.Nodes)
                    set._clients.Add(new PipelinedClient<int>(await RedisConnection.ConnectAsync(node with { Database = db }, cancellation), 256));
                return set;
            }
            catch
            {
                await set.DisposeAsync();
                throw;
            }
        }

        /// <summary>Every key (bytes as Latin-1 chars, so binary keys survive) with the index of the node holding it.</summary>
        public async Task<Dictionary<string, int>> ScanAsync(CancellationToken cancellation)
        {
            var keys = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var node = 0; node < _clients.Count; node++)
            {
                var cursor = "0";
                do
                {
                    var reply = (await _clients[node].SendAsync(new StringCommand(["SCAN", cursor, "COUNT", "1000"]), cancellation)).ThrowIfError(_clients[node].Endpoint.ToString(), "SCAN");
                    cursor = reply.Items[0].AsString()!;
                    foreach (var key in reply.Items[1].Items) keys[Encoding.Latin1.GetString(key.Bytes)] = node;
                } while (cursor != "0");
            }
            return keys;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients) await client.DisposeAsync();
        }
    }
}

/// <summary>The outcome of <see cref="RedisDataComparer.CompareAsync"/>.</summary>
/// <param name="KeysCompared">Distinct keys seen on either side.</param>
/// <param name="Differences">Every differing key, ordered by db then key.</param>
public sealed record DataComparison(long KeysCompared, IReadOnlyList<KeyDifference> Differences);
