using Shake.Resp.Protocol;

namespace Shake.Resp.Pipelining;

/// <summary>
/// Receives, in request order, the outcome of each tagged request of a <see cref="PipelinedClient{TTag}"/>.
/// Called on the client's reader loop: keep it short and never block on the same client. An exception thrown here
/// fails the client (every outstanding request then gets <see cref="OnFailed"/>).
/// </summary>
/// <typeparam name="TTag">The small value the caller attached to each request (e.g. a replication offset).</typeparam>
public interface IReplyHandler<TTag>
{
    /// <summary>
    /// A reply arrived for the request tagged <paramref name="tag"/>. Error replies arrive here too (check
    /// <see cref="RespReply.IsError"/>). <paramref name="reply"/> is only valid during the call.
    /// </summary>
    void OnReply(in TTag tag, in RespReply reply);

    /// <summary>The request tagged <paramref name="tag"/> will get no reply because the client failed or was disposed.</summary>
    void OnFailed(in TTag tag, Exception error);
}
