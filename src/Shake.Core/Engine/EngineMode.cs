namespace Shake.Core.Engine;

/// <summary>Where the data comes from.</summary>
public enum EngineMode
{
    /// <summary>Replicate from a live source: full sync, then the command stream (<c>type = "sync"</c> / <c>[sync_reader]</c>).</summary>
    Sync,

    /// <summary>Send an RDB file to the target and exit (<c>type = "restore"</c> / <c>[rdb_reader]</c>).</summary>
    Restore,
}
