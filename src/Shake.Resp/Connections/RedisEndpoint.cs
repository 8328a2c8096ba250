using System.Globalization;

namespace Shake.Resp.Connections;

/// <summary>A server address: host name or IP literal and TCP port. Parses <c>host:port</c> and <c>[v6]:port</c>.</summary>
public sealed record RedisEndpoint(string Host, int Port)
{
    /// <summary>Parses <c>host:port</c>, <c>[ipv6]:port</c>, or a bare IPv6 literal followed by <c>:port</c>.</summary>
    public static RedisEndpoint Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = address.Trim();
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new FormatException($"address '{address}' is not of the form host:port");
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new FormatException($"address '{address}' has an invalid port '{text[(colon + 1)..]}' (expected 1-65535)");
        if (host.Length == 0) throw new FormatException($"address '{address}' has an empty host");
        return new RedisEndpoint(host, port);
    }

    /// <summary><c>host:port</c> (IPv6 hosts bracketed).</summary>
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
