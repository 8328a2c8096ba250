namespace Shake.Core.Configuration;

/// <summary>
/// One run's configuration, the same model whichever redis-shake format it was read from.
/// Build it with <see cref="ShakeConfigLoader"/>.
/// </summary>
/// <param name="Format">The file layout it was read from (kept for messages).</param>
/// <param name="Reader">Where data comes from.</param>
/// <param name="Writer">Where data goes.</param>
/// <param name="Filter">What passes.</param>
/// <param name="Advanced">Run-time tuning.</param>
/// <param name="Module">Module data options.</param>
public sealed record ShakeConfig(
    ConfigFormat Format,
    ReaderOptions Reader,
    RedisWriterOptions Writer,
    FilterOptions Filter,
    AdvancedOptions Advanced,
    ModuleOptions Module)
{
    /// <summary>The source endpoint for readers that connect to Redis (sync, scan); null for file readers.</summary>
    public RedisInstanceOptions? Source => Reader switch
    {
        SyncReaderOptions sync => sync.Source,
        ScanReaderOptions scan => scan.Source,
        _ => null,
    };

    /// <summary>A short description such as <c>redis-shake v3 file, type = "sync"</c>.</summary>
    public string DescribeOrigin() => Format == ConfigFormat.RedisShakeV3
        ? $"redis-shake v3 file, type = \"{Reader.Mode}\""
        : $"redis-shake v4 file, [{Reader.Section}]";
}
