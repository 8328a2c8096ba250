namespace Shake.Core.Configuration;

/// <summary>Which keys, databases and commands pass (<c>[filter]</c>); empty lists mean no restriction.</summary>
public sealed record FilterOptions
{
    /// <summary>Only keys starting with one of these pass.</summary>
    public IReadOnlyList<string> AllowKeyPrefix { get; init; } = [];

    /// <summary>Only keys ending with one of these pass.</summary>
    public IReadOnlyList<string> AllowKeySuffix { get; init; } = [];

    /// <summary>Keys starting with one of these are dropped.</summary>
    public IReadOnlyList<string> BlockKeyPrefix { get; init; } = [];

    /// <summary>Keys ending with one of these are dropped.</summary>
    public IReadOnlyList<string> BlockKeySuffix { get; init; } = [];

    /// <summary>Only these databases pass.</summary>
    public IReadOnlyList<int> AllowDb { get; init; } = [];

    /// <summary>These databases are dropped.</summary>
    public IReadOnlyList<int> BlockDb { get; init; } = [];

    /// <summary>Only these commands pass (upper case).</summary>
    public IReadOnlyList<string> AllowCommand { get; init; } = [];

    /// <summary>These commands are dropped (upper case).</summary>
    public IReadOnlyList<string> BlockCommand { get; init; } = [];

    /// <summary>Only commands of these groups pass (upper case, e.g. <c>STRING</c>).</summary>
    public IReadOnlyList<string> AllowCommandGroup { get; init; } = [];

    /// <summary>Commands of these groups are dropped.</summary>
    public IReadOnlyList<string> BlockCommandGroup { get; init; } = [];

    /// <summary>redis-shake v4 Lua function source; empty when unused.</summary>
    public string Function { get; init; } = "";

    /// <summary>The redis-shake v3 Lua filter script given on the command line (<c>shake sync.toml filter.lua</c>); null when none.</summary>
    public string? LuaScriptPath { get; init; }

    /// <summary>The command groups redis-shake knows, the allowed values of the group lists.</summary>
    public static IReadOnlyList<string> CommandGroups { get; } =
    [
        "SERVER", "STRING", "CLUSTER", "CONNECTION", "BITMAP", "LIST", "SORTED_SET", "GENERIC", "TRANSACTIONS", "SCRIPTING",
        "TAIRHASH", "TAIRSTRING", "TAIRZSET", "GEO", "HASH", "HYPERLOGLOG", "PUBSUB", "SET", "SENTINEL", "STREAM",
    ];
}
