using System.Globalization;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Testing;

/// <summary>
/// A steady stream of writes to a standalone server while a fault test runs: SET, INCR, APPEND, DEL, HSET, HINCRBY,
/// LPUSH+LTRIM, SADD/SREM, ZINCRBY, EXPIRE and MULTI/EXEC over a few thousand keys under <c>load:</c>. The
/// non-idempotent commands (INCR, APPEND, LPUSH, ZINCRBY) make a command applied twice or lost show up as a different
/// value. <see cref="PauseAsync"/> stops it at a command boundary (every write answered) so the target can catch up;
/// <see cref="Resume"/> goes on.
/// </summary>
public sealed class WriteLoad : IAsyncDisposable
{
    private readonly PipelinedClient<int> _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly int _keys;
    private readonly int _batch;
    private readonly TimeSpan _pause;
    private readonly Random _random;
    private readonly Task _loop;
    private readonly Errors _errors;
    private long _written;

    private WriteLoad(PipelinedClient<int> client, Errors errors, int keys, int batch, TimeSpan pause, int seed)
    {
        _client = client;
        _errors = errors;
        _keys = keys;
        _batch = batch;
        _pause = pause;
        _random = new Random(seed);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Starts writing to <paramref name="address"/>: batches of <paramref name="batch"/> commands over
    /// <paramref name="keys"/> keys, a pause of <paramref name="pauseMs"/> between batches.
    /// </summary>
    public static async Task<WriteLoad> StartAsync(string address, int keys = 5000, int batch = 200, int pauseMs = 5, int seed = 17, string? password = null, string? username = null)
    {
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = address, Password = password, Username = username });
        var errors = new Errors();
        return new WriteLoad(new PipelinedClient<int>(connection, 1024, errors, ownsConnection: true), errors, keys, batch, TimeSpan.FromMilliseconds(pauseMs), seed);
    }

    /// <summary>Commands written and answered so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>The first error reply or failure, if any.</summary>
    public string? FirstError => _errors.First;

    /// <summary>Waits until the batch being written is answered, then holds the writer until <see cref="Resume"/>.</summary>
    public async Task PauseAsync() => await _running.WaitAsync();

    /// <summary>Lets a paused writer go on.</summary>
    public void Resume() => _running.Release();

    private async Task RunAsync()
    {
        var sequence = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await _running.WaitAsync(_stop.Token);
                try
                {
                    for (var i = 0; i < _batch; i++)
                        foreach (var command in Next())
                            await _client.EnqueueAsync(sequence++, new StringCommand(command), _stop.Token);
                    await _client.DrainAsync(_stop.Token);
                    Interlocked.Add(ref _written, _batch);
                }
                finally
                {
                    _running.Release();
                }
                await Task.Delay(_pause, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private IEnumerable<string[]> Next()
    {
        var k = _random.Next(_keys).ToString(CultureInfo.InvariantCulture);
        var v = _random.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
        switch (_random.Next(12))
        {
            case 0: yield return ["SET", $"load:s:{k}", v]; break;
            case 1: yield return ["INCR", $"load:n:{k}"]; break;
            case 2: yield return ["APPEND", $"load:a:{k}", v[..1]]; break;
            case 3: yield return ["DEL", $"load:s:{k}"]; break;
            case 4: yield return ["HSET", $"load:h:{k}", $"f{v[..1]}", v]; break;
            case 5: yield return ["HINCRBY", $"load:h:{k}", "count", "1"]; break;
            case 6:
                yield return ["LPUSH", $"load:l:{k}", v];
                yield return ["LTRIM", $"load:l:{k}", "0", "9"];
                break;
            case 7: yield return ["SADD", $"load:set:{k}", v[..2]]; break;
            case 8: yield return ["SREM", $"load:set:{k}", v[..2]]; break;
            case 9: yield return ["ZINCRBY", $"load:z:{k}", "1", $"m{v[..1]}"]; break;
            case 10: yield return ["EXPIRE", $"load:s:{k}", "3600"]; break;
            default:
                yield return ["MULTI"];
                yield return ["INCR", $"load:tx:{k}"];
                yield return ["SET", $"load:txs:{k}", v];
                yield return ["EXEC"];
                break;
        }
    }

    /// <summary>Stops writing (the batch in flight is answered or failed).</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop; } catch (Exception) { /* a failed connection ends the load; FirstError tells */ }
        await _client.DisposeAsync();
        _stop.Dispose();
    }

    private sealed class Errors : IReplyHandler<int>
    {
        public string? First;

        public void OnReply(in int tag, in RespReply reply)
        {
            if (reply.IsError) First ??= $"command #{tag}: {reply.GetError().Message}";
        }

        public void OnFailed(in int tag, Exception error) => First ??= $"command #{tag}: {error.Message}";
    }
}
