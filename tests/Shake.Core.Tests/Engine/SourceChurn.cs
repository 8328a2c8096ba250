using System.Globalization;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;
using Shake.Testing;

namespace Shake.Core.Tests.Engine;

/// <summary>
/// Keeps modifying a source while a test runs: overwrites, deletes, appends to every type, sets and removes TTLs,
/// adds keys that expire within a second, runs MULTI/EXEC blocks and Lua scripts, across several dbs.
/// </summary>
public sealed class SourceChurn : IAsyncDisposable
{
    private readonly RedisServer _server;
    private readonly int[] _dbs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SourceChurn(RedisServer server, int[] dbs, int seed)
    {
        _server = server;
        _dbs = dbs;
        _loop = Task.Run(() => RunAsync(seed, _stop.Token));
    }

    public long Commands { get; private set; }

    /// <summary>Longest TTL given to short-lived keys; wait this long after <see cref="StopAsync"/> before comparing.</summary>
    public static TimeSpan ShortTtl => TimeSpan.FromMilliseconds(1200);

    private async Task RunAsync(int seed, CancellationToken cancellation)
    {
        var random = new Random(seed);
        var handler = new Handler();
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = _server.Address });
        await using var client = new PipelinedClient<int>(connection, 256, handler);
        var round = 0;
        while (!cancellation.IsCancellationRequested)
        {
            var db = _dbs[random.Next(_dbs.Length)];
            await client.EnqueueAsync(0, new StringCommand(["SELECT", db.ToString(CultureInfo.InvariantCulture)]));
            for (var i = 0; i < 100; i++)
            {
                foreach (var command in Next(random, round))
                {
                    await client.EnqueueAsync(0, new StringCommand(command));
                    Commands++;
                }
            }
            await client.DrainAsync();
            if (handler.First is not null) throw new InvalidOperationException($"churn command failed: {handler.First}");
            round++;
            await Task.Delay(5, CancellationToken.None);
        }
    }

    private static IEnumerable<string[]> Next(Random random, int round)
    {
        var n = random.Next(300);
        var u = $"{round}-{random.Next(1_000_000)}";
        switch (random.Next(16))
        {
            case 0: yield return ["SET", $"string:small:{n}", $"changed-{u}"]; break;
            case 1: yield return ["DEL", $"string:large:{n}", $"hash:small:{n}"]; break;
            case 2: yield return ["RPUSH", $"list:large:{n}", u, u + "x"]; break;
            case 3: yield return ["LPOP", $"list:small:{n}"]; break;
            case 4: yield return ["HSET", $"hash:large:{n}", $"f{u}", u]; break;
            case 5: yield return ["ZADD", $"zset:small:{n}", random.Next(1000).ToString(CultureInfo.InvariantCulture), u]; break;
            case 6: yield return ["SADD", $"set:int:{n}", random.Next(100000).ToString(CultureInfo.InvariantCulture)]; break;
            case 7: yield return ["XADD", $"stream:{n}", "*", "f", u]; break;
            case 8: yield return ["SET", $"short:{u}", "x", "PX", (200 + random.Next(900)).ToString(CultureInfo.InvariantCulture)]; break;
            case 9: yield return ["EXPIRE", $"set:small:{n}", (3600 + random.Next(100)).ToString(CultureInfo.InvariantCulture)]; break;
            case 10: yield return ["PERSIST", $"ttl:string:{n}"]; break;
            case 11:
                yield return ["MULTI"];
                yield return ["INCR", $"counter:{n % 7}"];
                yield return ["LPUSH", $"tx:{n % 5}", u];
                yield return ["EXEC"];
                break;
            case 12: yield return ["EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])", "2", $"lua:{n}", $"lua-counter:{n % 3}", u]; break;
            case 13: yield return ["DEL", $"key:{random.Next(200_000)}"]; break;
            case 14: yield return ["APPEND", $"key:{random.Next(200_000)}", "+"]; break;
            default: yield return ["SET", $"new:{u}", u]; break;
        }
    }

    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop; } catch (Exception) { }
    }

    private sealed class Handler : IReplyHandler<int>
    {
        public string? First;

        public void OnReply(in int tag, in RespReply reply)
        {
            // LPOP on a missing key or WRONGTYPE from churn on a replaced key are fine; anything else is a test bug.
            if (reply.IsError && reply.ErrorKind != RespErrorKind.WrongType) First ??= reply.GetError().Message;
        }

        public void OnFailed(in int tag, Exception error) => First ??= error.Message;
    }
}
