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

    /// <summary>Options for a Shake.Resp connection to <see cref="Address"/> with these credentials.</summary>
    public RedisConnectionOptions ToConnectionOptions() => new()
    {
        Address = Address,
        Username = Username.Length > 0 ? Username : null,
        Password = Password.Length > 0 ? Password : null,
        Tls = Tls,
    };

    /// <summary>Whether a password is set.</summary>
    public bool HasPassword => Password.Length > 0;

    // The generated record printer would show the password; this one redacts it.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Address = {Address}, Username = {Username}, Password = {(HasPassword ? "***" : "")}, Tls = {Tls}, Cluster = {Cluster}, Version = {Version}");
        return true;
    }
}
