using System.Globalization;
using Shake.Core.Writers;
using Shake.Resp.Protocol;

namespace Shake.Core.Checkpoints;

/// <summary>Counts what a target holds before a full sync writes into it (<c>target_must_be_empty</c>).</summary>
public static class TargetKeys
{
    /// <summary>Keys in every database of every node of <paramref name="writer"/>'s target, the keys named in <paramref name="ignored"/> (db 0) not counted.</summary>
    public static async Task<long> CountAsync(ITargetWriter writer, IEnumerable<string> ignored, CancellationToken cancellation)
    {
        long keys = 0;
        foreach (var reply in await writer.ExecuteOnEachNodeAsync(["INFO", "keyspace"], cancellation))
            foreach (var (field, value) in InfoFields.Parse(reply.AsString() ?? ""))
            {
                // db0:keys=12,expires=0,avg_ttl=0
                if (!field.StartsWith("db", StringComparison.Ordinal) || !value.StartsWith("keys=", StringComparison.Ordinal)) continue;
                var end = value.IndexOf(',');
                if (long.TryParse(value.AsSpan(5, (end < 0 ? value.Length : end) - 5), NumberStyles.None, CultureInfo.InvariantCulture, out var count)) keys += count;
            }
        foreach (var key in ignored)
            if ((await writer.ExecuteForKeyAsync(["EXISTS", key], cancellation)) is { Kind: RespKind.Integer, Integer: 1 }) keys--;
        return Math.Max(0, keys);
    }
}
