using System.Globalization;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Core.Writers;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Host.Connectivity;

/// <summary>
/// What <c>shake validate</c> works out from the servers themselves: the limits of the target the engine will use, the
/// form the snapshot's keys will take (RESTORE, or plain commands when the source's RDB format is newer than the
/// target's), and a cluster target's masters. Printed as <c># derived</c> comment lines.
/// </summary>
public static class DerivedSettings
{
    /// <summary>Reads both sides (each within <paramref name="timeout"/>) and prints what follows from them; a side that does not answer is named.</summary>
    public static async Task PrintAsync(ShakeConfig config, TimeSpan timeout, TextWriter output, CancellationToken cancellation)
    {
        output.WriteLine("# derived from the servers (what the engine will use)");
        var target = await ReadAsync(config.Writer.Target, timeout, output, "target", cancellation);
        if (target is null) return;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# derived: target {config.Writer.Target.Address}: {target.ServerName} {target.Version}, RDB {target.RdbVersion}, {(target.ClusterEnabled ? "cluster (db 0 only)" : $"{target.Databases} databases")}, proto-max-bulk-len {target.ProtoMaxBulkLength}"));
        var limit = config.Advanced.TargetRedisProtoMaxBulkLen;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# derived: bulk limit used: {limit} bytes (target_redis_proto_max_bulk_len): larger DUMP payloads are converted to commands, a single larger element is refused{(limit > target.ProtoMaxBulkLength ? $"; WARNING: the target allows only {target.ProtoMaxBulkLength}, so values between the two are refused by the target" : "")}"));
        if (config.Writer.Target.Cluster) await PrintMastersAsync(config.Writer.Target, timeout, output, cancellation);
        if (config.Source is not { } sourceOptions) return;
        var source = await ReadAsync(sourceOptions, timeout, output, "source", cancellation);
        if (source is null) return;
        var form = source.RdbVersion > target.RdbVersion
            ? $"newer than the target's RDB {target.RdbVersion}: every key of the snapshot is written as plain commands (converted), not RESTORE"
            : $"not newer than the target's RDB {target.RdbVersion}: keys are written as RESTORE{(config.Advanced.RestoreForm == RestoreForm.Auto ? ", strings as MSET/SET (restore_form = \"auto\")" : "")}; only values over the bulk limit are converted";
        output.WriteLine($"# derived: source {sourceOptions.Address}: {source.ServerName} {source.Version} sends RDB {source.RdbVersion}, {form}");
    }

    private static async Task<TargetInfo?> ReadAsync(RedisInstanceOptions instance, TimeSpan timeout, TextWriter output, string role, CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            await using var connection = await RedisConnection.ConnectAsync(instance.ToConnectionOptions() with { ConnectTimeout = timeout, ReadTimeout = timeout, ClientName = "shake-validate" }, limit.Token);
            return await TargetInfo.ReadAsync(connection, limit.Token);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisServerException or IOException or OperationCanceledException)
        {
            output.WriteLine($"# derived: {role} {instance.Address}: could not be read ({e.Message})");
            return null;
        }
    }

    private static async Task PrintMastersAsync(RedisInstanceOptions target, TimeSpan timeout, TextWriter output, CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout * 2);
        try
        {
            var topology = await ClusterTopology.DiscoverAsync(target.ToConnectionOptions(), null, limit.Token);
            output.WriteLine($"# derived: target cluster masters (one connection each, shared by every engine): {string.Join(", ", topology.Masters.Select(m => m.Address))}");
        }
        catch (Exception e) when (e is ClusterTopologyException or OperationCanceledException or IOException)
        {
            output.WriteLine($"# derived: target cluster masters could not be read ({e.Message})");
        }
    }
}
