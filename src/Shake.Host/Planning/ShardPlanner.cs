using Shake.Core.Configuration;

namespace Shake.Host.Planning;

/// <summary>
/// Splits a sync of a cluster source over N processes: each gets the user's configuration with the source read as a
/// whole cluster and its own <c>[advanced] shards = "i/N"</c>, so that together they serve every source shard exactly once.
/// </summary>
public static class ShardPlanner
{
    /// <summary>
    /// Plans <paramref name="processes"/> processes (null: one per source shard) over <paramref name="shards"/>, the
    /// source's shards sorted by lowest slot as <see cref="Shake.Core.Cluster.ClusterSourceSync.ListShardsAsync"/> lists them.
    /// </summary>
    /// <exception cref="ArgumentException">More processes than shards, or fewer than one.</exception>
    public static IReadOnlyList<PlannedProcess> Plan(string configText, ConfigFormat format, IReadOnlyList<(int Shard, string Master)> shards, int? processes)
    {
        var count = processes ?? shards.Count;
        if (count < 1) throw new ArgumentException("the number of processes must be at least 1");
        if (count > shards.Count) throw new ArgumentException($"{count} processes for {shards.Count} source shards would leave {count - shards.Count} of them without a shard");
        var clusterSource = format == ConfigFormat.RedisShakeV3
            ? TomlKeySetter.Set(configText, "source", "type", "\"cluster\"")
            : TomlKeySetter.Set(configText, "sync_reader", "cluster", "true");
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var selection = new ShardSelection(i, count);
            var served = shards.Where((_, position) => selection.Includes(position)).ToList();
            return new PlannedProcess(i, count, TomlKeySetter.Set(clusterSource, "advanced", "shards", $"\"{i}/{count}\""), served);
        })];
    }
}
