using System.Globalization;

namespace Shake.Core.Failover;

/// <summary>
/// What a server will answer to <c>PSYNC id offset</c>, worked out beforehand from its <see cref="ReplicationInfo"/> by
/// the rules a Redis master applies: the id must be its own, or its previous one with the offset no later than where
/// that history ends for it (<c>second_repl_offset</c>), and the offset must lie in its backlog. Used to say why a new
/// master after a failover refused to continue, and whether its history forks below what Shake already applied.
/// </summary>
public static class ContinuationCheck
{
    /// <summary>
    /// Checks a continuation of <paramref name="replicationId"/> after <paramref name="appliedOffset"/> (every byte up
    /// to it is applied on the target; PSYNC asks for the next one).
    /// </summary>
    public static ContinuationVerdict Evaluate(string replicationId, long appliedOffset, ReplicationInfo server)
    {
        var wanted = appliedOffset + 1;
        var ic = CultureInfo.InvariantCulture;
        ForkRange? fork = null;
        if (server.ReplicationId != replicationId)
        {
            if (server.PreviousReplicationId != replicationId)
                return new ContinuationVerdict(false, string.Create(ic,
                    $"it does not know replication id {replicationId} (its history is {server.ReplicationId}, before its promotion {Describe(server.PreviousReplicationId)})"), null);
            if (wanted > server.SecondOffset)
            {
                // Bytes from second_repl_offset on came from the old master only: the new master's history forks there.
                fork = new ForkRange(server.SecondOffset, appliedOffset);
                return new ContinuationVerdict(false, string.Create(ic,
                    $"its copy of {replicationId} ends at offset {server.SecondOffset - 1} (second_repl_offset {server.SecondOffset}), before offset {wanted}: it took over without {appliedOffset - server.SecondOffset + 1} bytes Shake had already applied from the old master"), fork);
            }
        }
        if (server.BacklogLength <= 0)
            return new ContinuationVerdict(false, "it has no replication backlog", fork);
        if (wanted < server.BacklogFirstByte || wanted > server.BacklogLastByte + 1)
            return new ContinuationVerdict(false, string.Create(ic,
                $"offset {wanted} is outside its backlog (bytes {server.BacklogFirstByte}..{server.BacklogLastByte})"), fork);
        return new ContinuationVerdict(true, "it holds that history from offset " + wanted.ToString(ic) + " on", fork);
    }

    private static string Describe(string id) => id.Length == 0 || id.All(c => c == '0') ? "none" : id;
}

/// <summary>The outcome of <see cref="ContinuationCheck.Evaluate"/>.</summary>
/// <param name="CanContinue">The server should answer <c>+CONTINUE</c>.</param>
/// <param name="Reason">Why (or why not), for the log.</param>
/// <param name="Fork">When the server's history forks below what Shake applied: the bytes Shake applied that the server never had.</param>
public sealed record ContinuationVerdict(bool CanContinue, string Reason, ForkRange? Fork)
{
    /// <summary>
    /// Set when the history forks below what Shake applied, but past the fork Shake applied only commands that change no
    /// data (<c>PUBLISH</c>, such as a sentinel's hello messages): the offset to continue after instead (the fork's start - 1).
    /// </summary>
    public long? ContinueAfter { get; init; }
}

/// <summary>A range of replication offsets, both ends included.</summary>
/// <param name="First">First byte.</param>
/// <param name="Last">Last byte.</param>
public readonly record struct ForkRange(long First, long Last)
{
    /// <summary>Number of bytes in the range.</summary>
    public long Length => Last - First + 1;
}
