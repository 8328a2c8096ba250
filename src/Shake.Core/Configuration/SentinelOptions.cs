using System.Text;

namespace Shake.Core.Configuration;

/// <summary>
/// A source found through Redis Sentinel (<c>[sync_reader.sentinel]</c> as in redis-shake v4; <c>[source.sentinel]</c>
/// in v3 files, Shake's extension): the sentinels are asked <c>SENTINEL get-master-addr-by-name</c> for the current
/// master at start and after every loss of the source.
/// </summary>
/// <param name="MasterName">The name the sentinels monitor the master under (<c>master_name</c>).</param>
/// <param name="Addresses">The sentinels, <c>host:port</c> each (<c>address</c>; Shake also accepts several separated by commas), asked in order.</param>
/// <param name="Username">ACL user for the sentinels; empty for none.</param>
/// <param name="Password">Password for the sentinels; empty for none. Never printed by <see cref="ToString"/>.</param>
/// <param name="Tls">Connect to the sentinels with TLS.</param>
public sealed record SentinelOptions(string MasterName, IReadOnlyList<string> Addresses, string Username, string Password, bool Tls)
{
    /// <summary>Whether a password is set.</summary>
    public bool HasPassword => Password.Length > 0;

    // The generated record printer would show the password; this one redacts it.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"MasterName = {MasterName}, Addresses = {string.Join(",", Addresses)}, Username = {Username}, Password = {(HasPassword ? "***" : "")}, Tls = {Tls}");
        return true;
    }
}
