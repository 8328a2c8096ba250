namespace Shake.Host.Connectivity;

/// <summary>What a connectivity check found.</summary>
public enum ProbeOutcome
{
    /// <summary>Connected, authenticated, and INFO answered.</summary>
    Reachable,
    /// <summary>No TCP (or TLS) connection could be made in time.</summary>
    Unreachable,
    /// <summary>The server refused the credentials, or wants credentials that are not configured.</summary>
    AuthenticationFailed,
    /// <summary>The server answered something unexpected.</summary>
    ProtocolError,
}

/// <summary>The result of checking one endpoint.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Detail">The server version line on success; otherwise the reason, e.g. the server's error reply.</param>
/// <param name="RedisVersion">The server's <c>redis_version</c> (or <c>valkey_version</c>) when known.</param>
/// <param name="RedisMode">The server's <c>redis_mode</c> (standalone, cluster, sentinel) when known.</param>
public sealed record ProbeResult(ProbeOutcome Outcome, string Detail, string? RedisVersion = null, string? RedisMode = null)
{
    /// <summary>True when the endpoint is usable.</summary>
    public bool Ok => Outcome == ProbeOutcome.Reachable;
}
