using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;
using Shake.Testing;

namespace Shake.Resp.Tests;

/// <summary>The <see cref="SocketTransport.SocketConnection"/> transport against a real server: handshake, one-off and pipelined commands, close.</summary>
public class SocketTransportTests
{
    private sealed class Counter : IReplyHandler<int>
    {
        public int Replies;
        public int Errors;

        public void OnReply(in int tag, in RespReply reply)
        {
            if (tag != Replies) throw new InvalidOperationException($"reply for {tag} arrived when {Replies} was expected");
            Replies++;
            if (reply.IsError) Errors++;
        }

        public void OnFailed(in int tag, Exception error) => Errors++;
    }

    [Fact]
    public async Task PipelinedWritesAndRepliesGoThroughASocketConnection()
    {
        await using var server = await RedisServer.StartAsync();
        var options = new RedisConnectionOptions { Address = server.Address, Transport = SocketTransport.SocketConnection, Database = 2, ClientName = "shake-test" };
        var connection = await RedisConnection.ConnectAsync(options);
        Assert.False(connection.IsTls);
        Assert.Equal("PONG", (await connection.ExecuteAsync("PING")).AsString());
        var counter = new Counter();
        await using (var client = new PipelinedClient<int>(connection, 1024, counter, ownsConnection: true))
        {
            var value = new string('v', 300);
            for (var i = 0; i < 50_000; i++) await client.EnqueueAsync(i, new StringCommand(["SET", $"key:{i}", value]));
            await client.DrainAsync();
        }
        Assert.Equal((50_000, 0), (counter.Replies, counter.Errors));
        await using var check = await RedisConnection.ConnectAsync(options);
        Assert.Equal(50_000, (await check.ExecuteAsync("DBSIZE")).Integer);
    }
}
