namespace Shake.Core.Configuration;

/// <summary>Reads <c>[advanced]</c>, which v3 and v4 share apart from a few keys.</summary>
internal static class AdvancedSectionReader
{
    private static readonly (string, RestoreBehavior)[] RestoreBehaviors =
    [
        ("panic", RestoreBehavior.Panic),
        ("rewrite", RestoreBehavior.Rewrite),
        ("skip", RestoreBehavior.Skip),
        // v3 templates describe the same behaviour as "ignore".
        ("ignore", RestoreBehavior.Skip),
    ];

    private static readonly (string, RestoreForm)[] RestoreForms =
    [
        ("auto", RestoreForm.Auto),
        ("restore", RestoreForm.Restore),
    ];

    private static readonly (string, ShakeLogLevel)[] LogLevels =
    [
        ("debug", ShakeLogLevel.Debug),
        ("info", ShakeLogLevel.Info),
        ("warn", ShakeLogLevel.Warn),
    ];

    private static readonly (string, Spool.SpoolCompression)[] SpoolCompressions =
    [
        ("none", Spool.SpoolCompression.None),
        ("lz4", Spool.SpoolCompression.Lz4),
    ];

    private const long OneMegabyte = 1L << 20;

    public static AdvancedOptions Read(ConfigSection section, ConfigFormat format, string awsPsync)
    {
        var v3 = format == ConfigFormat.RedisShakeV3;
        var defaults = new AdvancedOptions
        {
            LogFile = v3 ? "redis-shake.log" : "shake.log",
            RdbRestoreCommandBehavior = v3 ? RestoreBehavior.Rewrite : RestoreBehavior.Panic,
            AwsPsync = awsPsync,
        };
        var statusPortKey = v3 ? "metrics_port" : "status_port";
        return new AdvancedOptions
        {
            Dir = section.String("dir", DefaultDirectory.Current),
            Ncpu = section.Int("ncpu", defaults.Ncpu, 0, 1024),
            Shards = ShardSelection(section),
            // Go's profiler has no .NET counterpart to serve; the port serves the runtime figures (GC, thread pool) instead.
            PprofPort = section.Int("pprof_port", defaults.PprofPort, 0, 65535),
            StatusPort = section.Int(statusPortKey, defaults.StatusPort, 0, 65535),
            StatusAddress = StatusAddress(section, defaults.StatusAddress),
            LogFile = section.String("log_file", defaults.LogFile),
            LogLevel = section.Choice("log_level", defaults.LogLevel, LogLevels),
            LogInterval = section.Int("log_interval", defaults.LogInterval, 1, 86_400),
            RdbRestoreCommandBehavior = section.Choice("rdb_restore_command_behavior", defaults.RdbRestoreCommandBehavior, RestoreBehaviors),
            RestoreForm = section.Choice("restore_form", defaults.RestoreForm, RestoreForms),
            PipelineCountLimit = section.Int("pipeline_count_limit", defaults.PipelineCountLimit, 1, 1 << 20),
            TargetRedisClientMaxQuerybufLen = section.Long("target_redis_client_max_querybuf_len", defaults.TargetRedisClientMaxQuerybufLen, OneMegabyte, long.MaxValue),
            TargetRedisProtoMaxBulkLen = section.Long("target_redis_proto_max_bulk_len", defaults.TargetRedisProtoMaxBulkLen, OneMegabyte, long.MaxValue),
            AwsPsync = v3 ? awsPsync : section.String("aws_psync", defaults.AwsPsync, OptionSupport.NotYetImplemented),
            EmptyDbBeforeSync = !v3 && section.Bool("empty_db_before_sync", defaults.EmptyDbBeforeSync),
            SpoolMemoryLimitMb = section.Int("spool_memory_limit_mb", defaults.SpoolMemoryLimitMb, 1, 1 << 20),
            SpoolDiskLimitMb = section.Long("spool_disk_limit_mb", defaults.SpoolDiskLimitMb, 0, 1L << 30),
            SpoolCompression = section.Choice("spool_compression", defaults.SpoolCompression, SpoolCompressions),
            RestoreSinglePass = section.Bool("restore_single_pass", defaults.RestoreSinglePass),
            ValidateSourcePayloads = section.Bool("validate_source_payloads", defaults.ValidateSourcePayloads),
            LargeValueThresholdMb = section.Int("large_value_threshold_mb", defaults.LargeValueThresholdMb, 1, 1 << 20),
            CheckpointKey = section.String("checkpoint_key", defaults.CheckpointKey),
            CheckpointGuard = section.Bool("checkpoint_guard", defaults.CheckpointGuard),
            TargetMustBeEmpty = section.Bool("target_must_be_empty", defaults.TargetMustBeEmpty),
            TargetWaitReplicas = section.Int("target_wait_replicas", defaults.TargetWaitReplicas, 0, 1024),
            TargetWaitTimeoutMs = section.Int("target_wait_timeout_ms", defaults.TargetWaitTimeoutMs, 1, 60_000),
        };
    }

    // The interface the status endpoint listens on: an IP address, or "localhost".
    private static string StatusAddress(ConfigSection section, string fallback)
    {
        var text = section.String("status_address", fallback);
        if (text == "localhost" || System.Net.IPAddress.TryParse(text, out _)) return text;
        section.Error("status_address", section.LineOf("status_address"), $"value {Toml.TomlValue.Quote(text)} is not allowed; allowed values: an IP address (\"127.0.0.1\", \"0.0.0.0\" for every interface, \"::\") or \"localhost\"");
        return fallback;
    }

    // "i/n": this process serves the source shards whose index in the list sorted by lowest slot is i modulo n.
    private static string ShardSelection(ConfigSection section)
    {
        var text = section.String("shards", "");
        if (text.Length == 0 || Configuration.ShardSelection.TryParse(text, out _)) return text;
        section.Error("shards", section.LineOf("shards"), $"value {Toml.TomlValue.Quote(text)} is not allowed; allowed values: \"\" (every shard) or \"i/n\" with 0 <= i < n (this process serves every n-th shard of the source cluster, starting at i)");
        return "";
    }
}
