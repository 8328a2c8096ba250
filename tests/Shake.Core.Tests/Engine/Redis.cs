using System.Globalization;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;
using Shake.Testing;

namespace Shake.Core.Tests.Engine;

/// <summary>Small helpers to talk to test servers through Shake's own client.</summary>
public static class Redis
{
    public static RedisConnectionOptions Options(RedisServer server, int db = 0) => new() { Address = server.Address, Database = db };

    public static async Task<RespValue> CallAsync(RedisServer server, params string[] command)
    {
        await using var c = await RedisConnection.ConnectAsync(Options(server));
        return await c.ExecuteAsync(command);
    }

    public static async Task<long> DbSizeAsync(RedisServer server, int db)
    {
        await using var c = await RedisConnection.ConnectAsync(Options(server, db));
        return (await c.ExecuteAsync("DBSIZE")).AsInt64();
    }

    /// <summary>Sends many commands pipelined and waits for all replies; fails on the first error reply.</summary>
    public static async Task PipelineAsync(RedisServer server, IEnumerable<string[]> commands, int db = 0)
    {
        var handler = new CountingHandler();
        await using var connection = await RedisConnection.ConnectAsync(Options(server, db));
        await using var client = new PipelinedClient<int>(connection, 2000, handler);
        foreach (var c in commands) await client.EnqueueAsync(0, new StringCommand(c));
        await client.DrainAsync();
        if (handler.FirstError is not null) throw new InvalidOperationException($"{server.Address}: {handler.FirstError}");
    }

    public static long Info(RedisServer server, string section, string field)
    {
        var text = CallAsync(server, "INFO", section).GetAwaiter().GetResult().AsString() ?? "";
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(field + ":", StringComparison.Ordinal)) return long.Parse(line[(field.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"INFO {section} has no {field}");
    }

    private sealed class CountingHandler : IReplyHandler<int>
    {
        public string? FirstError;

        public void OnReply(in int tag, in RespReply reply)
        {
            if (reply.IsError) FirstError ??= reply.GetError().Message;
        }

        public void OnFailed(in int tag, Exception error) => FirstError ??= error.Message;
    }
}
