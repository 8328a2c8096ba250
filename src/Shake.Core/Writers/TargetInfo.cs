using System.Globalization;
using Shake.Resp.Connections;

namespace Shake.Core.Writers;

/// <summary>What a target server reports about itself: version, RDB version, databases, bulk length limit, cluster mode.</summary>
/// <param name="ServerName">"redis" or "valkey".</param>
/// <param name="Version">Server version, e.g. 7.0.15.</param>
/// <param name="RdbVersion">RDB version that release writes.</param>
/// <param name="Databases">Number of databases (<c>CONFIG GET databases</c>; 16 when CONFIG is not allowed).</param>
/// <param name="ProtoMaxBulkLength"><c>proto-max-bulk-len</c> (512 MB when CONFIG is not allowed).</param>
/// <param name="ClusterEnabled">True when the server runs in cluster mode.</param>
public sealed record TargetInfo(string ServerName, string Version, int RdbVersion, int Databases, long ProtoMaxBulkLength, bool ClusterEnabled)
{
    /// <summary>Asks the server with INFO and CONFIG GET (before any pipelining starts on the connection).</summary>
    public static async Task<TargetInfo> ReadAsync(RedisConnection connection, CancellationToken cancellation)
    {
        var info = (await connection.ExecuteAsync(["INFO", "server"], cancellation)).ThrowIfError(connection.Endpoint.ToString(), "INFO").AsString() ?? "";
        var fields = InfoFields.Parse(info);
        var isValkey = fields.TryGetValue("server_name", out var name) && name == "valkey";
        var version = isValkey && fields.TryGetValue("valkey_version", out var vv) ? vv : fields.GetValueOrDefault("redis_version", "0.0.0");
        var clusterInfo = (await connection.ExecuteAsync(["INFO", "cluster"], cancellation)).AsString() ?? "";
        var cluster = InfoFields.Parse(clusterInfo).GetValueOrDefault("cluster_enabled") == "1";
        var databases = await ConfigLongAsync(connection, "databases", 16, cancellation);
        var bulk = await ConfigLongAsync(connection, "proto-max-bulk-len", 512L << 20, cancellation);
        return new TargetInfo(isValkey ? "valkey" : "redis", version, Writers.RdbVersions.ForServer(version, isValkey), (int)databases, bulk, cluster);
    }

    private static async Task<long> ConfigLongAsync(RedisConnection connection, string name, long fallback, CancellationToken cancellation)
    {
        var reply = await connection.ExecuteAsync(["CONFIG", "GET", name], cancellation);
        if (reply.IsError || reply.Items.Count < 2) return fallback;
        return long.TryParse(reply.Items[1].AsString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
