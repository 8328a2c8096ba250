namespace Shake.Core.Replication;

/// <summary>How <see cref="ReplicationClient"/> introduces itself to the source.</summary>
public sealed record ReplicationClientOptions
{
    /// <summary>Port announced with <c>REPLCONF listening-port</c> (shown in the source's INFO replication). Default 0: Shake accepts no connections.</summary>
    public int ListeningPort { get; init; }

    /// <summary>Announce <c>capa eof</c>, letting a source with <c>repl-diskless-sync yes</c> stream the RDB over the socket (v4 <c>try_diskless</c>).</summary>
    public bool AcceptDiskless { get; init; } = true;

    /// <summary>
    /// Version sent with <c>REPLCONF version</c>, or null to send none. Valkey primaries pick the snapshot's RDB format
    /// from it: a replica that names no version gets RDB 11, which cannot carry hashes with field expiry (Valkey 9 then
    /// leaves such keys out or fails the sync), while 9.0.0 gets the <c>VALKEY080</c> format, which Shake parses. Redis
    /// answers the option with an error, which the handshake ignores.
    /// </summary>
    public string? AnnouncedVersion { get; init; } = DefaultAnnouncedVersion;

    /// <summary>The version Shake announces by default: the newest Valkey whose snapshot format Shake reads.</summary>
    public const string DefaultAnnouncedVersion = "9.0.0";

    /// <summary>Replication id to continue from (<c>PSYNC id offset</c>); null asks for a full sync (<c>PSYNC ? -1</c>).</summary>
    public string? ReplicationId { get; init; }

    /// <summary>The offset already processed (PSYNC asks for the byte after it); used with <see cref="ReplicationId"/>.</summary>
    public long Offset { get; init; } = -1;

    /// <summary>First wait after a <c>-LOADING</c> or <c>-NOMASTERLINK</c> answer; doubled up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between PSYNC attempts.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest silence (not even a keep-alive newline) accepted while waiting for a handshake reply.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Give up after this long of refused PSYNC attempts.</summary>
    public TimeSpan RetryTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
