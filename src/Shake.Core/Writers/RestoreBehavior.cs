namespace Shake.Core.Writers;

/// <summary>What to do when a key from the RDB already exists on the target (<c>rdb_restore_command_behavior</c>).</summary>
public enum RestoreBehavior
{
    /// <summary>Stop with an error naming the key (redis-shake's default).</summary>
    Panic,

    /// <summary>Replace the target's key (<c>RESTORE ... REPLACE</c>).</summary>
    Rewrite,

    /// <summary>Leave the target's key and count it as skipped (v3 spelling <c>ignore</c>, v4 <c>skip</c>).</summary>
    Skip,
}
