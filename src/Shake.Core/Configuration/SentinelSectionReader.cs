using Shake.Core.Toml;
using Shake.Resp.Connections;

namespace Shake.Core.Configuration;

/// <summary>Reads a reader's <c>sentinel</c> sub-table (v4 <c>[sync_reader.sentinel]</c>, v3 <c>[source.sentinel]</c>).</summary>
internal static class SentinelSectionReader
{
    private const string AllowedAddresses = "host:port of a sentinel, or several separated by commas, e.g. \"127.0.0.1:26379\"";

    /// <summary>The sentinel options, or null when the sub-table is absent.</summary>
    public static SentinelOptions? Read(ConfigSection reader)
    {
        var section = reader.Table("sentinel");
        if (!section.Exists) return null;
        var name = section.RequiredString("master_name", "the name the sentinels monitor the source master under");
        var text = section.RequiredString("address", AllowedAddresses);
        var addresses = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var address in addresses)
        {
            try
            {
                RedisEndpoint.Parse(address);
            }
            catch (FormatException e)
            {
                section.Error("address", section.LineOf("address"), $"value {TomlValue.Quote(address)} is not allowed ({e.Message}); allowed values: {AllowedAddresses}");
            }
        }
        var options = new SentinelOptions(name, addresses, section.String("username", ""), section.String("password", ""), section.Bool("tls", false));
        section.ReportUnknownKeys();
        return options;
    }

    /// <summary>The source address: required, unless the sentinels name it (then it is not used).</summary>
    public static string SourceAddress(ConfigSection reader, SentinelOptions? sentinel) =>
        sentinel is not null ? reader.String("address", "") : reader.Address("address");
}
