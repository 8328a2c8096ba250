namespace Shake.Core.Replication;

/// <summary>The source's answer to PSYNC.</summary>
/// <param name="FullResync">True for <c>+FULLRESYNC</c> (an RDB follows), false for <c>+CONTINUE</c> (the stream resumes).</param>
/// <param name="ReplicationId">The replication id to use from now on (the new one for <c>+CONTINUE &lt;id&gt;</c>, else the one asked for).</param>
/// <param name="Offset">The offset at which the stream after the RDB (or the continued stream) begins.</param>
public sealed record PsyncReply(bool FullResync, string ReplicationId, long Offset);
