using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Core.Tests.Engine;

/// <summary>Equality of two servers' data sets.</summary>
public static class DataAssert
{
    /// <summary>
    /// Fast path: <c>DEBUG DIGEST</c> covers every key's value (and whether it expires) in every db. When the digests
    /// differ, the key-by-key comparison (type, value, TTL within 1 s) says where. Call <see cref="PurgeExpiredAsync"/>
    /// on both sides first: the digest also sees keys whose TTL passed but that active expiry has not reclaimed yet.
    /// </summary>
    public static async Task EqualAsync(RedisServer source, RedisServer target)
    {
        var s = (await Redis.CallAsync(source, "DEBUG", "DIGEST")).AsString();
        var t = (await Redis.CallAsync(target, "DEBUG", "DIGEST")).AsString();
        if (s == t) return;
        await RedisDataComparer.AssertEqualAsync(source.Address, target.Address, TimeSpan.FromSeconds(1), []);
        Assert.Fail($"DEBUG DIGEST differs ({s} vs {t}) although every key compared equal within the TTL tolerance");
    }

    /// <summary>Walks every db with SCAN, which deletes keys whose TTL has passed (on a source, replicated as DEL).</summary>
    public static async Task PurgeExpiredAsync(RedisServer server)
    {
        for (var db = 0; db < 16; db++)
        {
            await using var c = await RedisConnection.ConnectAsync(Redis.Options(server, db));
            var cursor = "0";
            do
            {
                var reply = (await c.ExecuteAsync("SCAN", cursor, "COUNT", "20000")).ThrowIfError();
                cursor = reply.Items[0].AsString()!;
            }
            while (cursor != "0");
        }
    }

    /// <summary>Purges expired keys on both sides, waits until the engine applied the resulting DELs, then compares.</summary>
    public static async Task EqualAfterPurgeAsync(RedisServer source, RedisServer target, EngineRun run)
    {
        await PurgeExpiredAsync(source);
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await run.WaitForZeroLagAsync(TimeSpan.FromSeconds(60), offset);
        await PurgeExpiredAsync(target);
        await EqualAsync(source, target);
    }
}
