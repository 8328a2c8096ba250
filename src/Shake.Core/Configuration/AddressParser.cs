using System.Globalization;

namespace Shake.Core.Configuration;

/// <summary>Splits and checks <c>host:port</c> addresses (<c>[v6]:port</c> for IPv6 literals).</summary>
public static class AddressParser
{
    /// <summary>Whether <paramref name="address"/> is <c>host:port</c> with a port from 1 to 65535.</summary>
    public static bool IsValid(string address) => TrySplit(address, out _, out _);

    /// <summary>Splits an address; throws <see cref="FormatException"/> naming the address when it is malformed.</summary>
    public static (string Host, int Port) Split(string address) =>
        TrySplit(address, out var host, out var port) ? (host, port) : throw new FormatException($"address \"{address}\" is not host:port");

    /// <summary>Splits an address into host and port.</summary>
    public static bool TrySplit(string address, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || colon == address.Length - 1) return false;
        host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        else if (host.Contains(':')) return false;
        return host.Length > 0
               && int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
               && port is >= 1 and <= 65535;
    }
}
