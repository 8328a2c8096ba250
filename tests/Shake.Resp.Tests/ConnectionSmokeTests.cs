using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Resp.Tests;

public class ConnectionSmokeTests
{
    [Fact]
    public async Task PingAnswersPong()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address, ReadTimeout = TimeSpan.FromSeconds(3) });
        Assert.Equal("PONG", (await connection.ExecuteAsync("PING")).AsString());
        Assert.Equal("OK", (await connection.ExecuteAsync("SET", "a", "b")).AsString());
        Assert.Equal("b", (await connection.ExecuteAsync("GET", "a")).AsString());
    }
}
