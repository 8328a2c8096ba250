using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Cluster;

/// <summary>
/// One pipelined connection to one target master, shared by every engine's <see cref="ClusterWriter"/>: replies go
/// back to the writer named in each request's tag. A link that failed is never reused; the target opens a new one.
/// </summary>
internal sealed class ClusterNodeLink : IReplyHandler<ClusterTag>, IAsyncDisposable
{
    private ClusterNodeLink(string address, RedisConnection connection, int pipelineLimit)
    {
        Address = address;
        Client = new PipelinedClient<ClusterTag>(connection, pipelineLimit, this);
    }

    /// <summary>The master's <c>host:port</c>.</summary>
    public string Address { get; }

    /// <summary>The pipelined client; may be written by several engines at once.</summary>
    public PipelinedClient<ClusterTag> Client { get; }

    /// <summary>True once the connection failed (or was disposed): writes throw, and the link must be replaced.</summary>
    public bool IsFailed => Client.Completion.IsCompleted;

    /// <summary>Connects to <paramref name="address"/> with the target's credentials and TLS settings.</summary>
    public static async Task<ClusterNodeLink> ConnectAsync(RedisConnectionOptions template, string address, int pipelineLimit, CancellationToken cancellation)
    {
        var connection = await RedisConnection.ConnectAsync(template with { Address = address, Database = 0 }, cancellation);
        return new ClusterNodeLink(address, connection, pipelineLimit);
    }

    /// <inheritdoc />
    public void OnReply(in ClusterTag tag, in RespReply reply)
    {
        if (tag.Sequence >= 0) tag.Writer.OnReply(tag.Sequence, this, reply);
    }

    /// <inheritdoc />
    public void OnFailed(in ClusterTag tag, Exception error)
    {
        if (tag.Sequence >= 0) tag.Writer.OnFailed(tag.Sequence, this, error);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Client.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => Address;
}
