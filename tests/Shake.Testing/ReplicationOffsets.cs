using System.Globalization;
using Shake.Resp.Connections;

namespace Shake.Testing;

/// <summary>
/// Replication offsets read from <c>INFO replication</c>, for tests that must know a replica holds its master's writes
/// before they kill the master. <c>WAIT</c> cannot tell: a Shake engine attached to the master acknowledges as a
/// replica too.
/// </summary>
public static class ReplicationOffsets
{
    /// <summary>A numeric field of <c>INFO replication</c> (<c>master_repl_offset</c>, <c>slave_repl_offset</c>); -1 when absent.</summary>
    public static async Task<long> ReadAsync(string address, string field, CancellationToken cancellation = default)
    {
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = address }, cancellation);
        var info = (await connection.ExecuteAsync(["INFO", "replication"], cancellation)).ThrowIfError(address, "INFO").AsString()!;
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(field.Length + 1), CultureInfo.InvariantCulture);
        }
        return -1;
    }

    /// <summary>Waits until <paramref name="replica"/> has applied everything <paramref name="master"/> had written when called.</summary>
    public static async Task WaitUntilCaughtUpAsync(string master, string replica, TimeSpan timeout, CancellationToken cancellation = default)
    {
        long wanted = await ReadAsync(master, "master_repl_offset", cancellation);
        var deadline = DateTime.UtcNow + timeout;
        long reached;
        while ((reached = await ReadAsync(replica, "slave_repl_offset", cancellation)) < wanted)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"replica {replica} is at offset {reached}, not {wanted} of its master {master}, after {timeout.TotalSeconds:0} s");
            await Task.Delay(20, cancellation);
        }
    }
}
