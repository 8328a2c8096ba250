using System.Text;
using Shake.Resp.Connections;

namespace Shake.Core.Configuration;

/// <summary>How to reach one Redis deployment, the source or the target (address, credentials, TLS, cluster).</summary>
/// <param name="Address"><c>host:port</c>; for a cluster, any one node.</param>
/// <param name="Username">ACL user name; empty for the default user.</param>
/// <param name="Password">Password; empty when no authentication is needed. Never printed by <see cref="ToString"/>.</param>
/// <param name="Tls">Connect with TLS.</param>
/// <param name="Cluster">The address is a node of a Redis Cluster; the other nodes are discovered.</param>
/// <param name="Version">The Redis version the v3 file declares (<c>version = 6.0</c>), as written; null when not given.</param>
public sealed record RedisInstanceOptions(string Address, string Username, string Password, bool Tls, bool Cluster, string? Version = null)
{
    /// <summary>The parsed <see cref="Address"/>; throws <see cref="FormatException"/> naming it when it is not <c>host:port</c>.</summary>
    public RedisEndpoint Endpoint => RedisEndpoint.Parse(Address);

    /// <summary>
    /// PEM file of the CA that signs the server certificates (<c>tls_ca_file</c>); empty uses the system trust store.
    /// The certificate is always verified (chain and name) unless <see cref="TlsSkipVerify"/>.
    /// </summary>
    public string TlsCaFile { get; init; } = "";

    /// <summary>PEM client certificate (<c>tls_cert_file</c>) for servers with <c>tls-auth-clients yes</c>; empty sends none.</summary>
    public string TlsCertFile { get; init; } = "";

    /// <summary>PEM private key of <see cref="TlsCertFile"/> (<c>tls_key_file</c>).</summary>
    public string TlsKeyFile { get; init; } = "";

    /// <summary>Name the server certificate must carry (<c>tls_server_name</c>, also sent as SNI); empty uses the host of the address.</summary>
    public string TlsServerName { get; init; } = "";

    /// <summary>Accept any server certificate (<c>tls_skip_verify</c>): encryption without knowing who answers.</summary>
    public bool TlsSkipVerify { get; init; }

    /// <summary>Options for a Shake.Resp connection to <see cref="Address"/> with these credentials and TLS settings.</summary>
    public RedisConnectionOptions ToConnectionOptions() => new()
    {
        Address = Address,
        Username = Username.Length > 0 ? Username : null,
        Password = Password.Length > 0 ? Password : null,
        Tls = Tls,
        TlsCaFile = TlsCaFile.Length > 0 ? TlsCaFile : null,
        TlsCertFile = TlsCertFile.Length > 0 ? TlsCertFile : null,
        TlsKeyFile = TlsKeyFile.Length > 0 ? TlsKeyFile : null,
        TlsServerName = TlsServerName.Length > 0 ? TlsServerName : null,
        TlsSkipVerify = TlsSkipVerify,
    };

    /// <summary>Whether a password is set.</summary>
    public bool HasPassword => Password.Length > 0;

    // The generated record printer would show the password; this one redacts it.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Address = {Address}, Username = {Username}, Password = {(HasPassword ? "***" : "")}, Tls = {Tls}, TlsCaFile = {TlsCaFile}, TlsCertFile = {TlsCertFile}, TlsKeyFile = {TlsKeyFile}, TlsServerName = {TlsServerName}, TlsSkipVerify = {TlsSkipVerify}, Cluster = {Cluster}, Version = {Version}");
        return true;
    }
}
