using Microsoft.Extensions.Logging;
using Shake.Core.Writers;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Core.Checkpoints;

/// <summary>
/// Refuses a sync A → B while another Shake syncs B → A: that one keeps a checkpoint in A (this sync's source) whose
/// recorded source is B (this sync's target), recognised by B's <c>run_id</c> or replication id (<c>master_replid</c>,
/// <c>master_replid2</c>) rather than by address, and whose heartbeat is fresh (<see cref="CheckpointOptions.FreshFor"/>).
/// The checkpoints are found through the index hash named by the prefix, so no keyspace is scanned.
/// </summary>
public static class OppositeSyncGuard
{
    /// <summary>Throws <see cref="OppositeSyncException"/> when such a sync runs; returns quietly otherwise.</summary>
    public static async Task CheckAsync(RedisConnection source, RedisConnectionOptions sourceOptions, ITargetWriter target, CheckpointOptions options, ILogger logger, CancellationToken cancellation)
    {
        if (!options.Enabled || !options.GuardOppositeDirection) return;
        var index = await ReadAsync(source, sourceOptions, ["HKEYS", options.Prefix], cancellation);
        if (index is { IsError: true } refused)
        {
            // A source user with only the replication commands cannot be asked: the guard is then off, and says so.
            logger.LogWarning("could not check {Source} for a sync running the opposite direction ({Error}); grant the source user +select +hkeys +hgetall on ~{Prefix}* for that check, or set [advanced] checkpoint_guard = false to silence this",
                source.Endpoint, refused.AsError().Message, options.Prefix);
            return;
        }
        if (index is null || index.Items.Count == 0) return;
        var (runIds, replicationIds) = await IdentitiesAsync(target, cancellation);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var item in index.Items)
        {
            var key = item.AsString();
            if (key is null) continue;
            var reply = await ReadAsync(source, sourceOptions, ["HGETALL", key], cancellation);
            if (reply is null || reply.IsError || Checkpoint.Parse(reply) is not { } found) continue;
            var fromTarget = (found.SourceRunId.Length > 0 && runIds.Contains(found.SourceRunId)) || (found.ReplicationId.Length > 0 && replicationIds.Contains(found.ReplicationId));
            if (!fromTarget) continue;
            var age = TimeSpan.FromMilliseconds(Math.Max(0, now - found.TimeMs));
            if (age > options.FreshFor)
            {
                logger.LogInformation("{Source} holds the checkpoint {Key} of a sync from this sync's target {Target}, last written {Age:0}s ago (not running): not an obstacle", source.Endpoint, key, target.Endpoint, age.TotalSeconds);
                continue;
            }
            throw new OppositeSyncException(
                $"refusing to sync {source.Endpoint} -> {target.Endpoint}: another sync runs the opposite direction, {found.Source} -> {source.Endpoint} " +
                $"(its checkpoint {key} in {source.Endpoint}, written {age.TotalSeconds:0}s ago by {found.Writer}, names this sync's target as its source). " +
                "Both at once would copy each side's writes back to the other. Stop one of them, or set [advanced] checkpoint_guard = false if this is intended");
        }
    }

    private static async Task<(HashSet<string> RunIds, HashSet<string> ReplicationIds)> IdentitiesAsync(ITargetWriter target, CancellationToken cancellation)
    {
        var runIds = new HashSet<string>(StringComparer.Ordinal);
        var replicationIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reply in await target.ExecuteOnEachNodeAsync(["INFO", "server"], cancellation))
            if (InfoFields.Parse(reply.AsString() ?? "").TryGetValue("run_id", out var id)) runIds.Add(id);
        foreach (var reply in await target.ExecuteOnEachNodeAsync(["INFO", "replication"], cancellation))
        {
            var fields = InfoFields.Parse(reply.AsString() ?? "");
            foreach (var name in new[] { "master_replid", "master_replid2" })
                if (fields.TryGetValue(name, out var id) && id.Trim('0').Length > 0) replicationIds.Add(id);
        }
        return (runIds, replicationIds);
    }

    // In db 0; a cluster source answers MOVED for a key of another shard: asked there once.
    private static async Task<RespValue?> ReadAsync(RedisConnection source, RedisConnectionOptions options, string[] command, CancellationToken cancellation)
    {
        await source.ExecuteAsync(["SELECT", "0"], cancellation);
        var reply = await source.ExecuteAsync(command, cancellation);
        if (!reply.IsError) return reply;
        var error = reply.AsError();
        if (error.Kind == RespErrorKind.NoPerm) return reply;
        if (error.Kind != RespErrorKind.Moved || error.Endpoint is null) return null;
        await using var owner = await RedisConnection.ConnectAsync(options with { Address = error.Endpoint, Database = 0 }, cancellation);
        reply = await owner.ExecuteAsync(command, cancellation);
        return reply.IsError ? null : reply;
    }
}
