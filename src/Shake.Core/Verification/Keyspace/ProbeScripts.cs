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

    /// <summary>
    /// Returns <c>type, expiry, value</c> per key: expiry is PEXPIRETIME (absolute) or, before 7.0, PTTL (relative);
    /// value is the whole value when it is small (a string up to <see cref="InlineStringBytes"/> bytes, a list, set,
    /// sorted set with scores or hash up to <see cref="InlineElements"/> elements), else nil. Reading a small value is
    /// cheaper for the server than digesting it, and needs no DEBUG command.
    /// </summary>
    public string TypeAndExpiry { get; }

    /// <summary>SHA1 of <see cref="TypeAndExpiry"/>, for EVALSHA.</summary>
    public string TypeAndExpirySha { get; }

    /// <summary>Largest string returned whole by <see cref="TypeAndExpiry"/>.</summary>
    public const int InlineStringBytes = 256;

    /// <summary>Most elements of a list, set, sorted set or hash returned whole by <see cref="TypeAndExpiry"/>.</summary>
    public const int InlineElements = 16;

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
            prefix + ProbeBody.Replace("EXPIRY", expiry, StringComparison.Ordinal)
                .Replace("STRINGBYTES", InlineStringBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("ELEMENTS", InlineElements.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            prefix + "local r = {} for i, k in ipairs(ARGV) do r[i] = redis.call('EXISTS', k) end return r");
    }

    // false becomes a nil reply; nil itself would end the Lua array early.
    // Strings, the common case, are served by one GETRANGE (which also bounds what a big string costs); other types
    // answer it with an error and are asked their type. false becomes a nil reply; nil would end the Lua array early.
    private const string ProbeBody = """
        local r = {}
        for i, k in ipairs(ARGV) do
          local t = 'string'
          local v = redis.pcall('GETRANGE', k, 0, STRINGBYTES)
          if type(v) == 'table' or v == '' then
            t = redis.call('TYPE', k).ok
            v = false
            if t == 'string' then
              v = ''
            elseif t == 'hash' then
              if redis.call('HLEN', k) <= ELEMENTS then v = redis.call('HGETALL', k) end
            elseif t == 'set' then
              if redis.call('SCARD', k) <= ELEMENTS then v = redis.call('SMEMBERS', k) end
            elseif t == 'zset' then
              if redis.call('ZCARD', k) <= ELEMENTS then v = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES') end
            elseif t == 'list' then
              if redis.call('LLEN', k) <= ELEMENTS then v = redis.call('LRANGE', k, 0, -1) end
            end
          elseif #v > STRINGBYTES then
            v = false
          end
          r[3*i-2] = t
          r[3*i-1] = redis.call('EXPIRY', k)
          r[3*i] = v
        end
        return r
        """;

    private static string Sha(string script) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));
}
