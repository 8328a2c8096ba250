namespace Shake.Resp.Connections;

/// <summary>How to reach and authenticate to one Redis server.</summary>
public sealed record RedisConnectionOptions
{
    /// <summary>The server's <c>host:port</c>.</summary>
    public required string Address { get; init; }

    /// <summary>ACL user name; null or empty authenticates as <c>default</c> with <see cref="Password"/> only.</summary>
    public string? Username { get; init; }

    /// <summary>Password (requirepass or the ACL user's); null or empty sends no AUTH.</summary>
    public string? Password { get; init; }

    /// <summary>Use TLS.</summary>
    public bool Tls { get; init; }

    /// <summary>PEM file of the CA that signed the server certificate; null uses the system trust store.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>PEM file of the client certificate, for servers that require client authentication.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>PEM file of the client certificate's private key.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>Accept any server certificate (no chain or name check). For testing only.</summary>
    public bool TlsSkipVerify { get; init; }

    /// <summary>Name expected in the server certificate (SNI); defaults to the host of <see cref="Address"/>.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>Protocol to negotiate: 2 (no HELLO unless needed) or 3 (sends <c>HELLO 3</c>).</summary>
    public int Protocol { get; init; } = 2;

    /// <summary>CLIENT SETNAME sent during the handshake; null sends none.</summary>
    public string? ClientName { get; init; }

    /// <summary>Database selected after the handshake (0 sends no SELECT).</summary>
    public int Database { get; init; }

    /// <summary>Limit for TCP connect, TLS and the handshake together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for a reply while requests are outstanding; <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Idle time before TCP keepalive probes start; null leaves the system default (keepalive still enabled).</summary>
    public TimeSpan? KeepAlive { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Parsed <see cref="Address"/>.</summary>
    public RedisEndpoint Endpoint => RedisEndpoint.Parse(Address);
}
