using Shake.Resp.Connections;
using Shake.Resp.Protocol;
using Shake.Testing;

namespace Shake.Resp.Tests;

public class RedisConnectionTests
{
    private static RedisConnectionOptions To(RedisServer server) => new() { Address = server.Address, ReadTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task OneOffCommandsReturnOwnedReplies()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync(To(server));
        Assert.Equal(2, connection.Protocol);
        Assert.Equal("PONG", (await connection.ExecuteAsync("PING")).AsString());
        Assert.Equal("OK", (await connection.ExecuteAsync("SET", "a", "b")).AsString());
        Assert.Equal("b", (await connection.ExecuteAsync([new ReadOnlyMemory<byte>("GET"u8.ToArray()), "a"u8.ToArray()])).AsString());
        Assert.Contains("redis_version:7.", (await connection.ExecuteAsync("INFO", "server")).AsString());
        var error = await connection.ExecuteAsync("INCR", "a");
        Assert.True(error.IsError);
        Assert.Equal(RespErrorKind.Err, error.AsError().Kind);
        Assert.Throws<RedisServerException>(() => error.ThrowIfError(server.Address, "INCR"));
    }

    [Fact]
    public async Task DatabaseAndClientNameAreAppliedDuringTheHandshake()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync(To(server) with { Database = 3, ClientName = "shake-test" });
        await connection.ExecuteAsync("SET", "in3", "x");
        Assert.Equal("shake-test", (await connection.ExecuteAsync("CLIENT", "GETNAME")).AsString());
        Assert.Contains("db3:keys=1", (await connection.ExecuteAsync("INFO", "keyspace")).AsString());
    }

    [Fact]
    public async Task RequirepassIsSatisfiedByPasswordAndWrongPasswordFailsTheConnect()
    {
        await using var server = await RedisServer.StartAsync(["--requirepass", "s3cret"]);
        await using (var anonymous = await RedisConnection.ConnectAsync(To(server)))
            Assert.Equal(RespErrorKind.NoAuth, (await anonymous.ExecuteAsync("GET", "x")).AsError().Kind);
        await using (var authed = await RedisConnection.ConnectAsync(To(server) with { Password = "s3cret" }))
            Assert.Equal("PONG", (await authed.ExecuteAsync("PING")).AsString());
        var error = await Assert.ThrowsAsync<RedisServerException>(() => RedisConnection.ConnectAsync(To(server) with { Password = "wrong" }));
        Assert.Equal(RespErrorKind.WrongPass, error.Error.Kind);
        Assert.Contains(server.Address, error.Message);
        Assert.DoesNotContain("wrong", error.Message.Replace("WRONGPASS", ""));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task AclUsersAuthenticateAndTheirPermissionsApply(int protocol)
    {
        await using var server = await RedisServer.StartAsync();
        await using (var admin = await RedisConnection.ConnectAsync(To(server)))
        {
            (await admin.ExecuteAsync("ACL", "SETUSER", "alice", "on", ">alice-pw", "~*", "&*", "+@all")).ThrowIfError();
            (await admin.ExecuteAsync("ACL", "SETUSER", "bob", "on", ">bob-pw", "~bob:*", "+get", "+set", "+acl|whoami")).ThrowIfError();
        }
        await using (var alice = await RedisConnection.ConnectAsync(To(server) with { Username = "alice", Password = "alice-pw", Protocol = protocol }))
        {
            Assert.Equal(protocol, alice.Protocol);
            Assert.Equal("alice", (await alice.ExecuteAsync("ACL", "WHOAMI")).AsString());
        }
        await using (var bob = await RedisConnection.ConnectAsync(To(server) with { Username = "bob", Password = "bob-pw", Protocol = protocol }))
        {
            Assert.Equal("OK", (await bob.ExecuteAsync("SET", "bob:1", "x")).AsString());
            Assert.Equal(RespErrorKind.NoPerm, (await bob.ExecuteAsync("SET", "alice:1", "x")).AsError().Kind);
            Assert.Equal(RespErrorKind.NoPerm, (await bob.ExecuteAsync("DEL", "bob:1")).AsError().Kind);
        }
        var error = await Assert.ThrowsAsync<RedisServerException>(() =>
            RedisConnection.ConnectAsync(To(server) with { Username = "alice", Password = "bob-pw", Protocol = protocol }));
        Assert.Equal(RespErrorKind.WrongPass, error.Error.Kind);
    }

    [Fact]
    public async Task HelloNegotiatesResp3()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync(To(server) with { Protocol = 3, ClientName = "r3" });
        Assert.Equal(3, connection.Protocol);
        var hello = connection.HelloReply!;
        Assert.Equal(RespKind.Map, hello.Kind);
        var fields = Enumerable.Range(0, hello.Items.Count / 2).ToDictionary(i => hello.Items[2 * i].AsString()!, i => hello.Items[2 * i + 1]);
        Assert.Equal(3, fields["proto"].Integer);
        Assert.Equal("redis", fields["server"].AsString());
        Assert.Equal("r3", (await connection.ExecuteAsync("CLIENT", "GETNAME")).AsString());
    }

    public static TheoryData<string, string, string, string> DebugProtocolReplies => new()
    {
        // type, RESP3 kind + rendering, RESP2 kind + rendering
        { "string", "BulkString \"Hello World\"", "BulkString \"Hello World\"", "" },
        { "integer", "Integer 12345", "Integer 12345", "" },
        { "double", "Double 3.141", "BulkString \"3.141\"", "" },
        { "bignum", "BigNumber 1234567999999999999999999999999999999", "BulkString \"1234567999999999999999999999999999999\"", "" },
        { "null", "Null (nil)", "BulkString (nil)", "" },
        { "array", "Array [0, 1, 2]", "Array [0, 1, 2]", "" },
        { "set", "Set ~[0, 1, 2]", "Array [0, 1, 2]", "" },
        { "map", "Map {0: false, 1: true, 2: false}", "Array [0, 0, 1, 1, 2, 0]", "" },
        { "true", "Boolean true", "Integer 1", "" },
        { "false", "Boolean false", "Integer 0", "" },
        { "verbatim", "VerbatimString \"This is a verbatim\nstring\"", "BulkString \"This is a verbatim\nstring\"", "txt" },
        { "attrib", "BulkString \"Some real reply following the attribute\"", "BulkString \"Some real reply following the attribute\"", "" },
    };

    [Theory]
    [MemberData(nameof(DebugProtocolReplies))]
    public async Task EveryReplyTypeTheServerProducesIsParsedInBothProtocols(string type, string resp3, string resp2, string verbatimFormat)
    {
        await using var server = await RedisServer.StartAsync();
        await using var three = await RedisConnection.ConnectAsync(To(server) with { Protocol = 3 });
        await using var two = await RedisConnection.ConnectAsync(To(server));
        var reply3 = await three.ExecuteAsync("DEBUG", "PROTOCOL", type);
        var reply2 = await two.ExecuteAsync("DEBUG", "PROTOCOL", type);
        Assert.Equal(resp3, $"{reply3.Kind} {reply3}");
        Assert.Equal(resp2, $"{reply2.Kind} {reply2}");
        if (verbatimFormat != "") Assert.Equal(verbatimFormat, reply3.VerbatimFormat);
        if (type == "attrib")
        {
            Assert.Equal("key-popularity", reply3.Attributes![0].AsString());
            Assert.Null(reply2.Attributes);
        }
        if (type == "double") Assert.Equal(3.141, reply3.AsDouble());
    }

    [Fact]
    public async Task PushMessagesAreVisibleOnTheRawInputAndSkippedByExecute()
    {
        await using var server = await RedisServer.StartAsync();
        await using var tracked = await RedisConnection.ConnectAsync(To(server) with { Protocol = 3 });
        await using var writer = await RedisConnection.ConnectAsync(To(server));
        (await tracked.ExecuteAsync("CLIENT", "TRACKING", "ON")).ThrowIfError();
        await tracked.ExecuteAsync("GET", "watched");
        await writer.ExecuteAsync("SET", "watched", "1");

        // The invalidation arrives unsolicited; read it straight off the pipe.
        var push = await ReadRawAsync(tracked);
        Assert.Equal(RespKind.Push, push.Kind);
        Assert.Equal("invalidate", push.Items[0].AsString());
        Assert.Equal("watched", push.Items[1].Items[0].AsString());

        await tracked.ExecuteAsync("GET", "watched");
        await writer.ExecuteAsync("SET", "watched", "2");
        await Task.Delay(100);
        Assert.Equal("PONG", (await tracked.ExecuteAsync("PING")).AsString());
    }

    private static async Task<RespValue> ReadRawAsync(RedisConnection connection)
    {
        while (true)
        {
            var result = await connection.Input.ReadAsync();
            if (TryParse(result.Buffer, out var value, out var consumed))
            {
                connection.Input.AdvanceTo(consumed);
                return value;
            }
            connection.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static bool TryParse(System.Buffers.ReadOnlySequence<byte> buffer, out RespValue value, out SequencePosition consumed)
    {
        var reader = new System.Buffers.SequenceReader<byte>(buffer);
        var ok = RespReader.TryReadValue(ref reader, out value);
        consumed = reader.Position;
        return ok;
    }

    [Fact]
    public async Task RefusedConnectionNamesTheEndpoint()
    {
        var port = FreePort.Next();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = $"127.0.0.1:{port}" }));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task HandshakeThatGetsNoAnswerTimesOut()
    {
        await using var server = await RedisServer.StartAsync();
        await using var admin = await RedisConnection.ConnectAsync(To(server));
        // Every command from other clients now waits, HELLO included.
        (await admin.ExecuteAsync("CLIENT", "PAUSE", "5000", "ALL")).ThrowIfError();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(To(server) with { Protocol = 3, ConnectTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Contains("timed out", error.Message);
        Assert.Contains(server.Address, error.Message);
    }

    [Fact]
    public async Task ReplyThatNeverComesTimesOut()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync(To(server) with { ReadTimeout = TimeSpan.FromMilliseconds(300) });
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => connection.ExecuteAsync("BLPOP", "nothing", "0"));
        Assert.Contains("no reply", error.Message);
    }

    [Theory]
    [InlineData("localhost:6379", "localhost", 6379)]
    [InlineData("10.1.2.3:7000", "10.1.2.3", 7000)]
    [InlineData("[::1]:6380", "::1", 6380)]
    [InlineData("fe80::1:6380", "fe80::1", 6380)]
    public void EndpointsParse(string address, string host, int port)
    {
        var endpoint = RedisEndpoint.Parse(address);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("host:")]
    [InlineData(":6379")]
    [InlineData("host:70000")]
    [InlineData("host:abc")]
    public void BadEndpointsAreRejectedWithTheAddress(string address)
    {
        var error = Assert.Throws<FormatException>(() => RedisEndpoint.Parse(address));
        Assert.Contains(address, error.Message);
    }
}
