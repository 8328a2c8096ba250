using Shake.Core.Configuration;
using Shake.Core.Verification.Keyspace;
using Shake.Core.Verification.Model;
using Shake.Core.Verification.Running;
using Shake.Resp.Connections;

namespace Shake.Core.Tests.Verification;

/// <summary>Writes test data with plain commands and runs a verification between two configured sides.</summary>
internal static class VerifyHarness
{
    public static RedisInstanceOptions Side(string address, bool cluster = false) => new(address, "", "", false, cluster);

    public static VerifyOptions Quick { get; } = new() { Rounds = 1, RoundDelay = TimeSpan.FromMilliseconds(50), BatchSize = 100, BigValueThreshold = 64 };

    public static async Task<VerifyResult> VerifyAsync(RedisInstanceOptions source, RedisInstanceOptions target, VerifyOptions? options = null, FilterOptions? filter = null)
    {
        options ??= Quick;
        using var mapping = DbMapping.Create(filter ?? new FilterOptions(), source.Cluster, target.Cluster);
        await using var sourceKeys = await KeyspaceFactory.OpenAsync(source, options.ServerDigest, CancellationToken.None);
        await using var targetKeys = await KeyspaceFactory.OpenAsync(target, options.ServerDigest, CancellationToken.None);
        return await new KeyspaceVerifier(sourceKeys, targetKeys, mapping, options).RunAsync(CancellationToken.None);
    }

    /// <summary>Runs commands on a standalone server in <paramref name="db"/>, failing on any error reply.</summary>
    public static async Task RunAsync(string address, int db, params string[][] commands)
    {
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = address, Database = db });
        foreach (var command in commands) (await connection.ExecuteAsync(command, CancellationToken.None)).ThrowIfError(address, command[0]);
    }

    // One absolute expiry for every copy written in a run: relative ones written to two servers a loaded second apart differ.
    private static readonly string ExpireAtMs = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One key of every type, small and big (over <see cref="Quick"/>'s big-value threshold and the probe's inline limits), some with expiries.</summary>
    public static string[][] Everything(string prefix = "")
    {
        var commands = new List<string[]>
        {
            new[] { "SET", prefix + "str", "value" },
            new[] { "SET", prefix + "str:ttl", "value", "PXAT", ExpireAtMs },
            new[] { "SET", prefix + "str:empty", "" },
            new[] { "SET", prefix + "str:big", new string('x', 5000) },
            new[] { "RPUSH", prefix + "list", "a", "b", "c" },
            new[] { "SADD", prefix + "set", "a", "b", "c" },
            new[] { "ZADD", prefix + "zset", "1", "a", "2.5", "b" },
            new[] { "HSET", prefix + "hash", "f1", "v1", "f2", "v2" },
            new[] { "HSET", prefix + "hash:ttl", "f1", "v1" },
            new[] { "PEXPIREAT", prefix + "hash:ttl", ExpireAtMs },
            new[] { "XADD", prefix + "stream", "1-1", "f", "v" },
            new[] { "XADD", prefix + "stream", "2-1", "f", "w" },
            new[] { "XGROUP", "CREATE", prefix + "stream", "g1", "1-1" },
        };
        commands.Add(["RPUSH", prefix + "list:big", .. Enumerable.Range(0, 300).Select(i => $"e{i}")]);
        commands.Add(["SADD", prefix + "set:big", .. Enumerable.Range(0, 300).Select(i => $"m{i}")]);
        commands.Add(["ZADD", prefix + "zset:big", .. Enumerable.Range(0, 300).SelectMany(i => new[] { i.ToString(), $"m{i}" })]);
        commands.Add(["HSET", prefix + "hash:big", .. Enumerable.Range(0, 300).SelectMany(i => new[] { $"f{i}", $"v{i}" })]);
        for (var i = 0; i < 250; i++) commands.Add(["SET", $"{prefix}small:{i}", $"v{i}"]);
        return [.. commands];
    }
}
