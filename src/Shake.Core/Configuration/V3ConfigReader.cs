using Shake.Core.Toml;

namespace Shake.Core.Configuration;

/// <summary>
/// Reads redis-shake v3 files (<c>type</c>, <c>[source]</c>, <c>[target]</c>, <c>[advanced]</c>) into the common model:
/// <c>type = "sync"</c> becomes a sync reader, <c>"scan"</c> a scan reader, <c>"restore"</c> an RDB reader whose
/// relative <c>rdb_file_path</c> is joined to <c>dir</c>; <c>[target] type = "cluster"</c> becomes a cluster writer.
/// </summary>
internal static class V3ConfigReader
{
    private static readonly (string, string)[] Types = [("sync", "sync"), ("restore", "restore"), ("scan", "scan")];
    private static readonly (string, bool)[] TargetTypes = [("standalone", false), ("cluster", true)];

    public static ShakeConfig Read(TomlTable document, List<ConfigDiagnostic> diagnostics)
    {
        var root = new ConfigSection("", document, diagnostics);
        // A missing or wrong type is reported; reading continues as "sync" so every other problem is reported too.
        var type = "sync";
        if (root.Has("type")) type = root.Choice("type", type, Types);
        else root.Error("type", 1, "is required in a redis-shake v3 file; allowed values: \"sync\", \"restore\", \"scan\"");

        var source = root.Table("source");
        var target = root.Table("target");
        var advancedSection = root.Table("advanced");
        if (!source.Exists) root.Error("source", 0, "the [source] section is required in a redis-shake v3 file");
        if (!target.Exists) root.Error("target", 0, "the [target] section is required in a redis-shake v3 file");

        var sourceVersion = source.VersionText("version");
        var awsPsync = type == "sync" ? source.String("elasticache_psync", "", OptionSupport.NotYetImplemented) : "";
        var advanced = AdvancedSectionReader.Read(advancedSection, ConfigFormat.RedisShakeV3, awsPsync);
        ReaderOptions reader = type switch
        {
            "restore" => new RdbReaderOptions(UnderDir(advanced.Dir,
                source.RequiredString("rdb_file_path", "a path to an RDB file (relative paths are relative to advanced.dir)"))),
            "scan" => new ScanReaderOptions(ReadEndpoint(source, cluster: false, sourceVersion), []),
            // [source] type = "cluster" is Shake's extension of the v3 format: one process follows every shard.
            _ => SyncReader(source, sourceVersion),
        };

        var cluster = target.Choice("type", false, TargetTypes);
        var writer = new RedisWriterOptions(ReadEndpoint(target, cluster, target.VersionText("version")));

        root.ReportUnknownKeys();
        source.ReportUnknownKeys();
        target.ReportUnknownKeys();
        advancedSection.ReportUnknownKeys();
        return new ShakeConfig(ConfigFormat.RedisShakeV3, reader, writer, new FilterOptions(), advanced, new ModuleOptions());
    }

    // [source.sentinel] is Shake's extension of the v3 format, the same sub-table as v4's [sync_reader.sentinel].
    private static SyncReaderOptions SyncReader(ConfigSection source, string? version)
    {
        var sentinel = SentinelSectionReader.Read(source);
        var endpoint = ReadEndpoint(source, source.Choice("type", false, TargetTypes), version, SentinelSectionReader.SourceAddress(source, sentinel));
        if (sentinel is not null && endpoint.Cluster) source.Error("sentinel", source.LineOf("sentinel"), "a sentinel names one master; it cannot be combined with type = \"cluster\"");
        // A v3 file has no try_diskless: redis-shake v3 always accepted diskless transfers, and so does Shake for it.
        return new SyncReaderOptions(endpoint, TryDiskless: true) { Sentinel = sentinel };
    }

    private static RedisInstanceOptions ReadEndpoint(ConfigSection section, bool cluster, string? version, string? address = null) => TlsOptionsReader.Read(section, new(
        address ?? section.Address("address"),
        section.String("username", ""),
        section.String("password", ""),
        section.Bool("tls", false),
        cluster,
        version));

    /// <summary>redis-shake v3 reads <c>rdb_file_path</c> relative to <c>dir</c>.</summary>
    private static string UnderDir(string dir, string path) => path.Length == 0 || Path.IsPathRooted(path) ? path : Path.Combine(dir, path);
}
