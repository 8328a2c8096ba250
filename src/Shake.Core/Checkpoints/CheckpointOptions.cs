using System.Text;

namespace Shake.Core.Checkpoints;

/// <summary>
/// Where and whether an engine keeps its applied offset in the target (<c>[advanced] checkpoint_key</c>), and the start-up
/// checks that read checkpoints (<c>checkpoint_guard</c>).
/// </summary>
public sealed record CheckpointOptions
{
    /// <summary>Default key prefix.</summary>
    public const string DefaultPrefix = "shake-checkpoint";

    /// <summary>
    /// Prefix of every checkpoint key (<c>checkpoint_key</c>); empty disables checkpoints in the target. Keys starting with
    /// it are never copied from a source, so that a sync in the opposite direction does not carry them back.
    /// </summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>
    /// What identifies the source in the key name (<c>prefix:name</c>); null: the configured source address. The engines
    /// of a cluster source use <c>shard-&lt;lowest slot&gt;</c>.
    /// </summary>
    public string? SourceName { get; init; }

    /// <summary>
    /// Refuse to start when the source holds a fresh checkpoint whose recorded source is this sync's target: another
    /// Shake syncs the opposite direction (<c>checkpoint_guard</c>, default true).
    /// </summary>
    public bool GuardOppositeDirection { get; init; } = true;

    /// <summary>A checkpoint written less than this long ago belongs to a running sync.</summary>
    public TimeSpan FreshFor { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle stream still rewrites its checkpoint (the heartbeat the guard reads).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a cluster target's checkpoint is written while commands flow.</summary>
    public TimeSpan ClusterInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>True when checkpoints are kept.</summary>
    public bool Enabled => Prefix.Length > 0;

    /// <summary>The key of the checkpoint for the source called <paramref name="sourceName"/>.</summary>
    public string KeyFor(string sourceName) => $"{Prefix}:{sourceName}";

    /// <summary>The prefix as bytes (empty when disabled), for the source-side filters.</summary>
    public byte[] PrefixBytes() => Encoding.UTF8.GetBytes(Prefix);
}
