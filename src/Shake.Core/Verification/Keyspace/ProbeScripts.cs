using System.Security.Cryptography;
using System.Text;

namespace Shake.Core.Verification.Keyspace;

/// <summary>
/// The Lua scripts a probe runs once per batch of keys (keys passed as ARGV, so one call serves keys of many slots).
/// One call instead of two commands per key keeps the reply count, and so the client's work, per batch constant.
/// </summary>
internal sealed class ProbeScripts
{
    // Redis 7.0 reads shebang flags: no-writes lets the script run on read-only replicas, allow-cross-slot-keys lets
    // a cluster node serve the keys of all its slots in one call.
    private const string Flags = "#!lua flags=no-writes,allow-cross-slot-keys\n";

    private ProbeScripts(string typeAndExpiry, string exists)
    {
        TypeAndExpiry = typeAndExpiry;
        TypeAndExpirySha = Sha(typeAndExpiry);
        Exists = exists;
        ExistsSha = Sha(exists);
    }

    /// <summary>Returns <c>type, expiry</c> per key: PEXPIRETIME (absolute) or, before 7.0, PTTL (relative).</summary>
    public string TypeAndExpiry { get; }

    /// <summary>SHA1 of <see cref="TypeAndExpiry"/>, for EVALSHA.</summary>
    public string TypeAndExpirySha { get; }

    /// <summary>Returns 1 or 0 per key.</summary>
    public string Exists { get; }

    /// <summary>SHA1 of <see cref="Exists"/>.</summary>
    public string ExistsSha { get; }

    /// <summary>The scripts for a server that has (7.0+) or lacks PEXPIRETIME and script flags.</summary>
    public static ProbeScripts For(bool redis7)
    {
        var prefix = redis7 ? Flags : "";
        var expiry = redis7 ? "PEXPIRETIME" : "PTTL";
        return new ProbeScripts(
            prefix + $"local r = {{}} for i, k in ipairs(ARGV) do r[2*i-1] = redis.call('TYPE', k).ok r[2*i] = redis.call('{expiry}', k) end return r",
            prefix + "local r = {} for i, k in ipairs(ARGV) do r[i] = redis.call('EXISTS', k) end return r");
    }

    private static string Sha(string script) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));
}
