namespace Shake.Core.Commands;

/// <summary>The group Redis files a command under (its <c>COMMAND DOCS</c> group), named as redis-shake names them.</summary>
public enum CommandGroup
{
    /// <summary>Not in the command table.</summary>
    Unknown,
    /// <summary>Keyspace commands (DEL, EXPIRE, RESTORE, …).</summary>
    Generic,
    /// <summary>String commands.</summary>
    String,
    /// <summary>List commands.</summary>
    List,
    /// <summary>Set commands.</summary>
    Set,
    /// <summary>Sorted set commands.</summary>
    SortedSet,
    /// <summary>Hash commands.</summary>
    Hash,
    /// <summary>Stream commands.</summary>
    Stream,
    /// <summary>Bitmap commands.</summary>
    Bitmap,
    /// <summary>HyperLogLog commands.</summary>
    HyperLogLog,
    /// <summary>Geospatial commands.</summary>
    Geo,
    /// <summary>Scripting and function commands.</summary>
    Scripting,
    /// <summary>MULTI, EXEC, WATCH, …</summary>
    Transactions,
    /// <summary>Publish/subscribe commands.</summary>
    PubSub,
    /// <summary>Connection commands.</summary>
    Connection,
    /// <summary>Server administration commands.</summary>
    Server,
    /// <summary>Cluster commands.</summary>
    Cluster,
    /// <summary>Sentinel commands.</summary>
    Sentinel,
}

/// <summary>The names of <see cref="CommandGroup"/> values as redis-shake writes them (<c>SORTED_SET</c>, <c>HYPERLOGLOG</c>, …).</summary>
public static class CommandGroupNames
{
    private static readonly string[] Names =
    [
        "UNKNOWN", "GENERIC", "STRING", "LIST", "SET", "SORTED_SET", "HASH", "STREAM", "BITMAP", "HYPERLOGLOG", "GEO",
        "SCRIPTING", "TRANSACTIONS", "PUBSUB", "CONNECTION", "SERVER", "CLUSTER", "SENTINEL",
    ];

    /// <summary>The redis-shake name of <paramref name="group"/>.</summary>
    public static string Name(CommandGroup group) => Names[(int)group];

    /// <summary>Parses a redis-shake group name (case-insensitive); false for names Shake has no commands for (e.g. TAIRHASH).</summary>
    public static bool TryParse(string name, out CommandGroup group)
    {
        var index = Array.FindIndex(Names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        group = index < 0 ? CommandGroup.Unknown : (CommandGroup)index;
        return index > 0;
    }

    /// <summary>Parses the group name <c>COMMAND DOCS</c> reports (<c>sorted-set</c>, <c>generic</c>, …).</summary>
    public static CommandGroup FromServerName(string serverName) =>
        TryParse(serverName.Replace('-', '_'), out var group) ? group : CommandGroup.Unknown;
}
