using System.Text;
using Shake.Core.Checkpoints;
using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Core.Tests.Checkpoints;

/// <summary>The target's command table decides which forwarded commands may go into a transaction.</summary>
public class TargetCommandSetTests
{
    private static bool Accepts(TargetCommandSet set, params string[] command)
    {
        var encoded = Encoding.UTF8.GetBytes($"*{command.Length}\r\n" + string.Concat(command.Select(a => $"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n")));
        Assert.True(CommandHead.TryRead(encoded, out var head));
        Assert.Equal(command.Length, head.ArgumentCount);
        return set.Accepts(head.Name, head.FirstArgument, head.ArgumentCount);
    }

    [Fact]
    public async Task CommandsTheServerWouldQueueAreAcceptedAndTheOnesItRefusesWhileQueuingAreNot()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address });
        var set = TargetCommandSet.FromCommandReply(await connection.ExecuteAsync("COMMAND"));
        Assert.NotNull(set);
        Assert.True(Accepts(set, "SET", "k", "v"));
        Assert.True(Accepts(set, "set", "k", "v", "PX", "10"));
        Assert.True(Accepts(set, "MSET", "a", "1", "b", "2"));
        Assert.True(Accepts(set, "XGROUP", "CREATE", "s", "g", "$"));
        Assert.True(Accepts(set, "xgroup", "createconsumer", "s", "g", "c"));
        Assert.False(Accepts(set, "NOSUCHCOMMAND", "k"));
        Assert.False(Accepts(set, "GET", "k", "extra"));
        Assert.False(Accepts(set, "SET", "k"));
        Assert.False(Accepts(set, "XGROUP", "NOSUCHSUB", "s"));
        // What the set accepts, the server queues: MULTI, each of them, EXEC runs.
        foreach (var command in new[] { new[] { "SET", "k", "v" }, ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"], ["GET", "k", "extra"] })
        {
            await connection.ExecuteAsync("MULTI");
            var queued = await connection.ExecuteAsync(command);
            var exec = await connection.ExecuteAsync("EXEC");
            Assert.Equal(Accepts(set, command), !queued.IsError && !exec.IsError);
        }
    }

    [Fact]
    public void TheHeadOfACommandIsReadFromItsFirstBytes()
    {
        var encoded = "*3\r\n$4\r\nHSET\r\n$16\r\nshake-checkpoint\r\n$1\r\n"u8;
        Assert.True(CommandHead.TryRead(encoded, out var head));
        Assert.Equal(3, head.ArgumentCount);
        Assert.Equal("HSET", Encoding.UTF8.GetString(head.Name));
        Assert.Equal("shake-checkpoint", Encoding.UTF8.GetString(head.FirstArgument));
        Assert.False(CommandHead.TryRead("*2\r\n$4\r\nHS"u8, out _));
    }
}
