namespace Shake.Core.Configuration;

/// <summary>Which redis-shake file layout a configuration was read from.</summary>
public enum ConfigFormat
{
    /// <summary>redis-shake v3: <c>type = "sync" | "restore" | "scan"</c> with <c>[source]</c>, <c>[target]</c>, <c>[advanced]</c>.</summary>
    RedisShakeV3,
    /// <summary>redis-shake v4: <c>[sync_reader]</c>/<c>[scan_reader]</c>/<c>[rdb_reader]</c>/<c>[aof_reader]</c>, <c>[redis_writer]</c>, <c>[filter]</c>, <c>[advanced]</c>, <c>[module]</c>.</summary>
    RedisShakeV4,
}
