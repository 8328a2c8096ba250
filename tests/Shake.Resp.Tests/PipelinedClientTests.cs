using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;
using Shake.Testing;

namespace Shake.Resp.Tests;

public class PipelinedClientTests
{
    private sealed class CountingHandler : IReplyHandler<long>
    {
        public long Next;
        public long Errors;
        public readonly List<(long Tag, RespErrorKind Kind)> ErrorTags = [];
        public readonly List<long> Failed = [];

        public void OnReply(in long tag, in RespReply reply)
        {
            if (tag != Next) throw new InvalidOperationException($"reply for {tag} arrived when {Next} was expected");
            Next++;
            if (reply.IsError)
            {
                Errors++;
                ErrorTags.Add((tag, reply.ErrorKind));
            }
        }

        public void OnFailed(in long tag, Exception error)
        {
            lock (Failed) Failed.Add(tag);
        }
    }

    [Fact]
    public async Task HundredThousandPipelinedSetsAreConfirmedInOrderAndStored()
    {
        await using var server = await RedisServer.StartAsync();
        var handler = new CountingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 1024, handler);
        const int count = 100_000;
        for (long i = 0; i < count; i++)
            await client.EnqueueAsync(i, new StringCommand(["SET", $"key:{i}", $"value:{i}"]));
        await client.DrainAsync();

        Assert.Equal(count, handler.Next);
        Assert.Equal(0, handler.Errors);
        Assert.Equal(count, client.Confirmed);
        Assert.Equal(0, client.InFlight);
        Assert.Equal(count, (await client.SendAsync("DBSIZE")).Integer);
        Assert.Equal("value:99999", (await client.SendAsync("GET", "key:99999")).AsString());
    }

    [Fact]
    public async Task ErrorRepliesAreTypedResultsInTheirSlot()
    {
        await using var server = await RedisServer.StartAsync();
        var handler = new CountingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 4, handler);
        var dump = await client.SendAsync("DUMP", "missing");
        Assert.True(dump.IsNull);
        await client.SendAsync("SET", "s", "v");
        var payload = (await client.SendAsync("DUMP", "s")).Bytes;

        await client.EnqueueAsync(0, new StringCommand(["LPUSH", "s", "x"]));          // WRONGTYPE
        await client.EnqueueAsync(1, new StringCommand(["SET", "ok", "1"]));
        await client.EnqueueAsync(2, new RestoreLike("s", payload));                    // BUSYKEY
        await client.EnqueueAsync(3, new StringCommand(["NOSUCHCOMMAND"]));             // ERR
        await client.EnqueueAsync(4, new StringCommand(["EVALSHA", new string('a', 40), "0"])); // NOSCRIPT
        await client.DrainAsync();

        Assert.Equal(5, handler.Next);
        Assert.Equal([(0L, RespErrorKind.WrongType), (2L, RespErrorKind.BusyKey), (3L, RespErrorKind.Err), (4L, RespErrorKind.NoScript)], handler.ErrorTags);
        var error = (await client.SendAsync("LPUSH", "s", "x")).AsError();
        Assert.Equal(RespErrorKind.WrongType, error.Kind);
        Assert.StartsWith("WRONGTYPE", error.Message);
    }

    private readonly struct RestoreLike(string key, byte[] payload) : IRespCommand
    {
        public void WriteTo(System.Buffers.IBufferWriter<byte> output)
        {
            RespCommandWriter.WriteArrayHeader(output, 4);
            RespCommandWriter.WriteBulk(output, "RESTORE");
            RespCommandWriter.WriteBulk(output, key);
            RespCommandWriter.WriteBulk(output, 0);
            RespCommandWriter.WriteBulk(output, payload);
        }
    }

    [Fact]
    public async Task ProducersWaitWhenTheWindowIsFull()
    {
        await using var server = await RedisServer.StartAsync();
        var handler = new CountingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 2, handler);
        // A blocking command holds its slot until the server answers.
        await client.EnqueueAsync(0, new StringCommand(["BLPOP", "never", "2"]));
        await client.EnqueueAsync(1, new StringCommand(["PING"]));
        var third = client.EnqueueAsync(2, new StringCommand(["PING"])).AsTask();
        await Task.Delay(300);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, client.InFlight);
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        await client.DrainAsync();
        Assert.Equal(3, handler.Next);
    }

    [Fact]
    public async Task TryEnqueueWritesWithoutWaitingUntilTheWindowIsFullAndKeepsTheOrderWithEnqueueAsync()
    {
        await using var server = await RedisServer.StartAsync();
        var handler = new CountingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 3, handler);
        // A blocking command holds its slot until the server answers, so the window stays full while we look.
        Assert.True(client.TryEnqueue(0, new StringCommand(["BLPOP", "never", "1"])));
        Assert.True(client.TryEnqueue(1, new StringCommand(["RPUSH", "order", "1"])));
        Assert.True(client.TryEnqueue(2, new StringCommand(["RPUSH", "order", "2"])));
        Assert.False(client.TryEnqueue(3, new StringCommand(["RPUSH", "order", "wrong"])));
        Assert.Equal(3, client.InFlight);
        await client.EnqueueAsync(3, new StringCommand(["RPUSH", "order", "3"]));

        // Mixed with the waiting path, every request goes out once and in the order written.
        long tag = 4;
        for (var i = 4; i <= 10_000; i++)
        {
            var command = new StringCommand(["RPUSH", "order", i.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (!client.TryEnqueue(tag, command)) await client.EnqueueAsync(tag, command);
            tag++;
        }
        await client.DrainAsync();
        Assert.Equal(tag, handler.Next);
        Assert.Equal(0, handler.Errors);
        var list = await client.SendAsync("LRANGE", "order", "0", "-1");
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), list.Items.Select(v => v.AsString()));
    }

    [Fact]
    public async Task TryEnqueueAfterAFailureThrowsTheFailure()
    {
        var server = await RedisServer.StartAsync();
        var handler = new CountingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 8, handler);
        Assert.True(client.TryEnqueue(0, new StringCommand(["PING"])));
        await client.DrainAsync();
        await server.DisposeAsync();
        // The reader loop ends once it sees the connection closed; from then on the client is failed.
        try { await client.Completion.WaitAsync(TimeSpan.FromSeconds(10)); } catch (RedisConnectionException) { }
        var error = Assert.Throws<RedisConnectionException>(() => client.TryEnqueue(1, new StringCommand(["PING"])));
        Assert.Contains(server.Address, error.Message);
    }

    [Fact]
    public async Task DroppedConnectionFailsOutstandingRequestsNamingTheEndpoint()
    {
        var server = await RedisServer.StartAsync();
        var handler = new CountingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 8, handler);
        await client.EnqueueAsync(0, new StringCommand(["BLPOP", "never", "0"]));
        await client.FlushAsync();
        var pending = client.SendAsync("BLPOP", "never2", "0");
        await Task.Delay(100);
        server.Kill();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(server.Address, error.Message);
        Assert.Equal([0L], handler.Failed);
        await Assert.ThrowsAsync<RedisConnectionException>(() => client.SendAsync("PING"));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task DisposingFailsOutstandingRequests()
    {
        await using var server = await RedisServer.StartAsync();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        var client = new PipelinedClient<long>(connection, pipelineLimit: 8);
        var pending = client.SendAsync("BLPOP", "never", "0");
        await Task.Delay(100);
        await client.DisposeAsync();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => pending);
        Assert.Contains("disposed", error.Message);
        Assert.Contains(server.Address, error.Message);
    }

    [Fact]
    public async Task StalledServerTimesOutOutstandingRequests()
    {
        await using var server = await RedisServer.StartAsync();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address, ReadTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 8);
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.SendAsync("BLPOP", "never", "0").WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("no reply", error.Message);
    }

    [Fact]
    public async Task PushMessagesInterleavedWithRepliesDoNotShiftTheMatching()
    {
        await using var server = await RedisServer.StartAsync();
        var handler = new CountingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address, Protocol = 3 });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 16, handler);
        await using var writer = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        (await client.SendAsync("CLIENT", "TRACKING", "ON")).ThrowIfError();
        for (var round = 0; round < 20; round++)
        {
            Assert.Equal(round == 0 ? null : (round - 1).ToString(), (await client.SendAsync("GET", "tracked")).AsString());
            await writer.ExecuteAsync("SET", "tracked", round.ToString());   // triggers an invalidation push
            await client.EnqueueAsync(round, new StringCommand(["ECHO", $"r{round}"]));
        }
        await client.DrainAsync();
        Assert.Equal(20, handler.Next);
        Assert.Equal(0, handler.Errors);
        Assert.Equal("19", (await client.SendAsync("GET", "tracked")).AsString());
    }

    [Fact]
    public async Task EncodedCommandsAreForwardedVerbatim()
    {
        await using var server = await RedisServer.StartAsync();
        var handler = new CountingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 4, handler);
        await client.DrainAsync();
        var encoded = System.Text.Encoding.ASCII.GetBytes("*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$4\r\na\r\nb\r\n");
        for (long i = 0; i < 10; i++)
            await client.EnqueueAsync(i, new EncodedCommand(Segments.Split(encoded, (int)i * 3)));
        await client.DrainAsync();
        Assert.Equal(10, handler.Next);
        Assert.Equal(10, (await client.SendAsync("LLEN", "l")).Integer);
        Assert.Equal("a\r\nb", (await client.SendAsync("LPOP", "l")).AsString());
    }

    private sealed class RecordingHandler : IReplyHandler<long>
    {
        public readonly List<(long Tag, RespKind Kind, string? Text)> Replies = [];

        public void OnReply(in long tag, in RespReply reply) => Replies.Add((tag, reply.Kind, reply.ToValue().AsString()));

        public void OnFailed(in long tag, Exception error) { }
    }

    [Fact]
    public async Task RunsOfOkRepliesAndOtherRepliesReachTheirRequestsInOrder()
    {
        await using var server = await RedisServer.StartAsync();
        var handler = new RecordingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 300, handler);
        var expected = new List<(long, RespKind, string?)>();
        for (long i = 0; i < 1000; i++)
        {
            // Runs of +OK of every length up to 150, broken by an integer or an error reply.
            if (i % 151 == 150)
            {
                await client.EnqueueAsync(i, new StringCommand(["INCR", "counter"]));
                expected.Add((i, RespKind.Integer, (i / 151 + 1).ToString()));
            }
            else if (i % 307 == 306)
            {
                await client.EnqueueAsync(i, new StringCommand(["LPUSH", "k:1"]));
                expected.Add((i, RespKind.Error, "ERR wrong number of arguments for 'lpush' command"));
            }
            else
            {
                await client.EnqueueAsync(i, new StringCommand(["SET", $"k:{i}", "v"]));
                expected.Add((i, RespKind.SimpleString, "OK"));
            }
            if (i % 97 == 0)
                Assert.Equal("OK", (await client.SendAsync("SET", "direct", i.ToString())).AsString());
        }
        await client.DrainAsync();
        Assert.Equal(expected, handler.Replies);
        Assert.Equal(1000 + 11, client.Confirmed);
        Assert.Equal(0, client.InFlight);
    }

    [Fact]
    public async Task AnOkReplyWithoutARequestFailsTheClientAfterTheAnsweredOnes()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[4096];
            var received = 0;
            // Three SETs of 29 bytes each, then four +OK: one more than was asked for.
            while (received < 3 * 29) received += await socket.ReceiveAsync(buffer.AsMemory(received));
            await socket.SendAsync("+OK\r\n+OK\r\n+OK\r\n+OK\r\n"u8.ToArray());
            await Task.Delay(2000);
        });
        var handler = new RecordingHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = $"127.0.0.1:{port}" });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 8, handler);
        for (long i = 0; i < 3; i++) await client.EnqueueAsync(i, new StringCommand(["SET", $"k:{i}", "v"]));
        await client.FlushAsync();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("+OK", error.Message);
        Assert.Contains("no request outstanding", error.Message);
        Assert.Equal([0L, 1L, 2L], handler.Replies.Select(r => r.Tag));
        await serving;
    }

    private sealed class ListLengthHandler : IReplyHandler<long>
    {
        public int Mismatches;
        public long Replies;

        // Tag: list number << 32 | index; the reply of the index-th RPUSH to a list must be index + 1.
        public void OnReply(in long tag, in RespReply reply)
        {
            Interlocked.Increment(ref Replies);
            if (reply.Kind != RespKind.Integer || reply.Head.Integer != (tag & 0xFFFFFFFF) + 1) Interlocked.Increment(ref Mismatches);
        }

        public void OnFailed(in long tag, Exception error) => Interlocked.Increment(ref Mismatches);
    }

    [Fact]
    public async Task ConcurrentProducersMixingTryEnqueueEnqueueSendAndFlushKeepEachOnesOrder()
    {
        await using var server = await RedisServer.StartAsync();
        var handler = new ListLengthHandler();
        var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        await using var client = new PipelinedClient<long>(connection, pipelineLimit: 64, handler);
        const int perList = 20_000;
        async Task Push(int list)
        {
            for (var i = 0; i < perList; i++)
            {
                var tag = ((long)list << 32) | (uint)i;
                var command = new StringCommand(["RPUSH", $"list:{list}", i.ToString()]);
                if (!client.TryEnqueue(tag, command)) await client.EnqueueAsync(tag, command);
            }
        }
        var sends = Task.Run(async () =>
        {
            for (var i = 1; i <= 500; i++) Assert.Equal(i, (await client.SendAsync("INCR", "counter")).Integer);
        });
        var flushes = Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++) await client.FlushAsync();
        });
        await Task.WhenAll(Task.Run(() => Push(0)), Task.Run(() => Push(1)), Task.Run(() => Push(2)), sends, flushes);
        await client.DrainAsync();

        Assert.Equal(0, handler.Mismatches);
        Assert.Equal(3 * perList, handler.Replies);
        Assert.Equal(3 * perList + 500, client.Confirmed);
        for (var list = 0; list < 3; list++)
        {
            Assert.Equal(perList, (await client.SendAsync("LLEN", $"list:{list}")).Integer);
            Assert.Equal((perList - 1).ToString(), (await client.SendAsync("LINDEX", $"list:{list}", "-1")).AsString());
        }
    }
}
