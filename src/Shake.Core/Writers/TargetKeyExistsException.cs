namespace Shake.Core.Writers;

/// <summary>A key from the RDB already exists on the target and <c>rdb_restore_command_behavior</c> is <c>panic</c>.</summary>
public sealed class TargetKeyExistsException : Exception
{
    /// <summary>Creates the exception naming the key (already formatted for display) and its database.</summary>
    public TargetKeyExistsException(string key, int db)
        : base($"the target already holds key {key} (db {db}); rdb_restore_command_behavior = \"panic\" stops here (use \"rewrite\" to replace or \"skip\" to keep the target's keys)")
    {
        Key = key;
        Db = db;
    }

    /// <summary>The key, formatted for display.</summary>
    public string Key { get; }

    /// <summary>The source database.</summary>
    public int Db { get; }
}
