using Shake.Core.Toml;

namespace Shake.Core.Configuration;

/// <summary>Reads redis-shake v4 files: exactly one reader section, <c>[redis_writer]</c>, <c>[filter]</c>, <c>[advanced]</c>, <c>[module]</c>.</summary>
internal static class V4ConfigReader
{
    public static IReadOnlyList<string> ReaderSections { get; } = ["sync_reader", "scan_reader", "rdb_reader", "aof_reader"];

    public static ShakeConfig Read(TomlTable document, List<ConfigDiagnostic> diagnostics)
    {
        var root = new ConfigSection("", document, diagnostics);
        var readers = ReaderSections.Select(root.Table).Where(s => s.Exists).ToList();
        ReaderOptions reader = new SyncReaderOptions(new RedisInstanceOptions("", "", "", false, false));
        if (readers.Count == 0)
            root.Error("sync_reader", 0, "no reader section; add one of " + string.Join(", ", ReaderSections.Select(s => $"[{s}]")));
        else if (readers.Count > 1)
            root.Error(readers[1].Name, readers[1].Line,
                "only one reader section may be given; found " + string.Join(", ", readers.Select(r => $"[{r.Name}] (line {r.Line})")));
        if (readers.Count > 0) reader = ReadReader(readers[0]);

        var writerSection = root.Table("redis_writer");
        if (!writerSection.Exists) root.Error("redis_writer", 0, "the [redis_writer] section is required");
        var writer = new RedisWriterOptions(
            ReadEndpoint(writerSection),
            writerSection.Bool("sentinel", false, OptionSupport.NotYetImplemented),
            writerSection.String("master", "", OptionSupport.NotYetImplemented),
            writerSection.Bool("off_reply", false, OptionSupport.NotYetImplemented));

        var filterSection = root.Table("filter");
        var filter = ReadFilter(filterSection);
        var advancedSection = root.Table("advanced");
        var advanced = AdvancedSectionReader.Read(advancedSection, ConfigFormat.RedisShakeV4, "");
        var moduleSection = root.Table("module");
        var module = new ModuleOptions(moduleSection.Int("target_mbbloom_version", 20603, 0, int.MaxValue, OptionSupport.NotYetImplemented));

        root.ReportUnknownKeys();
        foreach (var section in readers.Take(1).Concat([writerSection, filterSection, advancedSection, moduleSection])) section.ReportUnknownKeys();
        return new ShakeConfig(ConfigFormat.RedisShakeV4, reader, writer, filter, advanced, module);
    }

    private static ReaderOptions ReadReader(ConfigSection section)
    {
        switch (section.Name)
        {
            case "sync_reader":
                var sentinel = SentinelSectionReader.Read(section);
                var source = ReadEndpoint(section, SentinelSectionReader.SourceAddress(section, sentinel));
                if (sentinel is not null && source.Cluster) section.Error("sentinel", section.LineOf("sentinel"), "a sentinel names one master; it cannot be combined with cluster = true");
                return new SyncReaderOptions(
                    source,
                    section.Bool("sync_rdb", true),
                    section.Bool("sync_aof", true),
                    section.Bool("prefer_replica", false),
                    section.Bool("try_diskless", false)) { Sentinel = sentinel };
            case "scan_reader":
                return new ScanReaderOptions(
                    ReadEndpoint(section),
                    section.IntList("dbs", 0, 65535),
                    section.Bool("scan", true),
                    section.Bool("ksn", false, OptionSupport.NotYetImplemented),
                    section.Int("count", 1, 1, int.MaxValue));
            case "rdb_reader":
                return new RdbReaderOptions(section.RequiredString("filepath", "a path to an RDB file"));
            default:
                section.Report(ConfigSeverity.NotImplemented, "", section.Line, "the AOF reader is recognised, but Shake does not implement it yet");
                return new AofReaderOptions(
                    section.RequiredString("filepath", "a path to an AOF file or manifest"),
                    section.Long("timestamp", 0, 0, long.MaxValue));
        }
    }

    private static RedisInstanceOptions ReadEndpoint(ConfigSection section, string? address = null) => TlsOptionsReader.Read(section, new(
        address ?? section.Address("address"),
        section.String("username", ""),
        section.String("password", ""),
        section.Bool("tls", false),
        section.Bool("cluster", false)));

    private static FilterOptions ReadFilter(ConfigSection section) => new()
    {
        AllowKeyPrefix = section.StringList("allow_key_prefix"),
        AllowKeySuffix = section.StringList("allow_key_suffix"),
        BlockKeyPrefix = section.StringList("block_key_prefix"),
        BlockKeySuffix = section.StringList("block_key_suffix"),
        AllowDb = section.IntList("allow_db", 0, 65535),
        BlockDb = section.IntList("block_db", 0, 65535),
        AllowCommand = section.StringList("allow_command").Select(c => c.ToUpperInvariant()).ToList(),
        BlockCommand = section.StringList("block_command").Select(c => c.ToUpperInvariant()).ToList(),
        AllowCommandGroup = section.StringList("allow_command_group", FilterOptions.CommandGroups),
        BlockCommandGroup = section.StringList("block_command_group", FilterOptions.CommandGroups),
        Function = section.String("function", ""),
    };
}
