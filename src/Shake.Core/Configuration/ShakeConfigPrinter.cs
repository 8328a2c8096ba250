using System.Globalization;
using System.Text;
using Shake.Core.Toml;

namespace Shake.Core.Configuration;

/// <summary>
/// Writes the effective configuration (defaults filled in) in redis-shake v4 layout, whichever format it was read
/// from. Passwords are shown as <c>"***"</c> unless asked otherwise, so the output can be pasted into a ticket.
/// </summary>
public static class ShakeConfigPrinter
{
    /// <summary>The configuration as TOML text; with <paramref name="redactSecrets"/> false the text loads back to an equal configuration.</summary>
    public static string Print(ShakeConfig config, bool redactSecrets = true)
    {
        var w = new Writer(redactSecrets);
        var v3 = config.Format == ConfigFormat.RedisShakeV3;
        w.Comment($"effective configuration ({config.DescribeOrigin()}), in redis-shake v4 layout");
        w.Comment("lines marked \"derived\" are values Shake works out rather than reads (the setting below each is what runs)");
        switch (config.Reader)
        {
            case SyncReaderOptions sync:
                w.Section("sync_reader");
                if (v3 && sync.Source.Cluster) w.Derived("cluster = true from [source] type = \"cluster\" (Shake's extension of the v3 format)");
                w.Endpoint(sync.Source);
                w.Bool("sync_rdb", sync.SyncRdb);
                w.Bool("sync_aof", sync.SyncAof);
                w.Bool("prefer_replica", sync.PreferReplica);
                if (v3) w.Derived("a v3 file has no try_diskless; Shake accepts diskless transfers for every v3 file, as redis-shake v3 did");
                w.Bool("try_diskless", sync.TryDiskless);
                if (sync.Sentinel is { } sentinel) w.Sentinel(sentinel);
                break;
            case ScanReaderOptions scan:
                w.Section("scan_reader");
                w.Endpoint(scan.Source);
                w.Integers("dbs", scan.Dbs);
                w.Bool("scan", scan.Scan);
                w.Bool("ksn", scan.Ksn);
                w.Integer("count", scan.Count);
                break;
            case RdbReaderOptions rdb:
                w.Section("rdb_reader");
                w.String("filepath", rdb.FilePath);
                break;
            case AofReaderOptions aof:
                w.Section("aof_reader");
                w.String("filepath", aof.FilePath);
                w.Integer("timestamp", aof.Timestamp);
                break;
        }

        w.Section("redis_writer");
        if (v3 && config.Writer.Target.Cluster) w.Derived("cluster = true from [target] type = \"cluster\"");
        w.Endpoint(config.Writer.Target);
        w.Bool("sentinel", config.Writer.Sentinel);
        w.String("master", config.Writer.Master);
        w.Bool("off_reply", config.Writer.OffReply);

        var f = config.Filter;
        w.Section("filter");
        w.Strings("allow_key_prefix", f.AllowKeyPrefix);
        w.Strings("allow_key_suffix", f.AllowKeySuffix);
        w.Strings("block_key_prefix", f.BlockKeyPrefix);
        w.Strings("block_key_suffix", f.BlockKeySuffix);
        w.Integers("allow_db", f.AllowDb);
        w.Integers("block_db", f.BlockDb);
        w.Strings("allow_command", f.AllowCommand);
        w.Strings("block_command", f.BlockCommand);
        w.Strings("allow_command_group", f.AllowCommandGroup);
        w.Strings("block_command_group", f.BlockCommandGroup);
        w.String("function", f.Function);
        if (f.LuaScriptPath is not null) w.Comment($"Lua filter script (command line): {f.LuaScriptPath}");

        var a = config.Advanced;
        w.Section("advanced");
        w.String("dir", a.Dir);
        if (a.Ncpu > 0) w.Derived($"the process is pinned to {a.Ncpu} CPUs (all of them when fewer are available)");
        w.Integer("ncpu", a.Ncpu);
        w.Derived(ShardsServed(config));
        w.String("shards", a.Shards);
        if (a.PprofPort > 0) w.Derived($"Go's profiler has no .NET counterpart: http://{Host(a.StatusAddress)}:{a.PprofPort}/debug/runtime serves the runtime's GC and thread-pool figures (dotnet-counters and dotnet-trace attach to the process)");
        w.Integer("pprof_port", a.PprofPort);
        if (a.StatusPort > 0) w.Derived($"status at http://{Host(a.StatusAddress)}:{a.StatusPort}/ (JSON), /metrics (Prometheus), /healthz, /readyz, /debug/runtime{(v3 ? "; metrics_port in the v3 file" : "")}");
        w.Integer("status_port", a.StatusPort);
        w.String("status_address", a.StatusAddress);
        if (a.LogFile.Length > 0) w.Derived($"the log is written to {(Path.IsPathRooted(a.LogFile) ? a.LogFile : Path.Combine(a.Dir, a.LogFile))}, the spool to {Path.Combine(a.Dir, "spool")}");
        w.String("log_file", a.LogFile);
        w.String("log_level", a.LogLevel.ToString().ToLowerInvariant());
        w.Integer("log_interval", a.LogInterval);
        w.String("rdb_restore_command_behavior", a.RdbRestoreCommandBehavior.ToString().ToLowerInvariant());
        w.String("restore_form", a.RestoreForm.ToString().ToLowerInvariant());
        w.Integer("pipeline_count_limit", a.PipelineCountLimit);
        w.Integer("target_redis_client_max_querybuf_len", a.TargetRedisClientMaxQuerybufLen);
        w.Integer("target_redis_proto_max_bulk_len", a.TargetRedisProtoMaxBulkLen);
        if (v3 && a.AwsPsync.Length > 0) w.Derived("aws_psync from [source] elasticache_psync");
        w.String("aws_psync", a.AwsPsync);
        if (v3) w.Derived("a v3 file has no empty_db_before_sync: the target is never emptied first");
        w.Bool("empty_db_before_sync", a.EmptyDbBeforeSync);
        w.Integer("spool_memory_limit_mb", a.SpoolMemoryLimitMb);
        w.Integer("spool_disk_limit_mb", a.SpoolDiskLimitMb);
        w.String("spool_compression", a.SpoolCompression.ToString().ToLowerInvariant());
        w.Bool("restore_single_pass", a.RestoreSinglePass);
        w.Bool("validate_source_payloads", a.ValidateSourcePayloads);
        w.Integer("large_value_threshold_mb", a.LargeValueThresholdMb);
        w.String("checkpoint_key", a.CheckpointKey);
        w.Bool("checkpoint_guard", a.CheckpointGuard);
        w.Bool("target_must_be_empty", a.TargetMustBeEmpty);
        w.Integer("target_wait_replicas", a.TargetWaitReplicas);
        w.Integer("target_wait_timeout_ms", a.TargetWaitTimeoutMs);

        w.Section("module");
        w.Integer("target_mbbloom_version", config.Module.TargetMbbloomVersion);
        return w.ToString();
    }

    // Which shards of the source this process follows: as far as the file tells (shake validate reads the source's list).
    private static string ShardsServed(ShakeConfig config)
    {
        var shards = config.Advanced.Shards;
        return config.Source switch
        {
            null => "no source server (a file is read): shards does not apply",
            { Cluster: false } source => $"the source is one server: this process follows {source.Address} only (what its PSYNC gives: one shard when it is a cluster leader)",
            _ when shards.Length == 0 => "a cluster source: this process follows every shard of the source cluster",
            _ => $"a cluster source: this process follows the shards whose index, in the list sorted by lowest slot, is {shards.Split('/')[0]} modulo {shards.Split('/')[1]} (shake validate lists them when it can reach the source)",
        };
    }

    private static string Host(string address) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;

    private sealed class Writer(bool redact)
    {
        private readonly StringBuilder _text = new();

        public void Comment(string text) => _text.Append("# ").Append(text).Append('\n');

        // A value Shake works out rather than reads: a comment line just above the setting it explains.
        public void Derived(string text) => Comment("derived: " + text);

        public void Section(string name)
        {
            if (_text.Length > 0) _text.Append('\n');
            _text.Append('[').Append(name).Append("]\n");
        }

        public void Endpoint(RedisInstanceOptions endpoint)
        {
            Bool("cluster", endpoint.Cluster);
            String("address", endpoint.Address);
            String("username", endpoint.Username);
            String("password", redact && endpoint.HasPassword ? "***" : endpoint.Password);
            Bool("tls", endpoint.Tls);
            if (endpoint.TlsCaFile.Length > 0) String("tls_ca_file", endpoint.TlsCaFile);
            if (endpoint.TlsCertFile.Length > 0) String("tls_cert_file", endpoint.TlsCertFile);
            if (endpoint.TlsKeyFile.Length > 0) String("tls_key_file", endpoint.TlsKeyFile);
            if (endpoint.TlsServerName.Length > 0) String("tls_server_name", endpoint.TlsServerName);
            if (endpoint.TlsSkipVerify) Bool("tls_skip_verify", true);
            if (endpoint.Version is not null) Comment($"Redis version declared by the v3 file: {endpoint.Version}");
        }

        public void Sentinel(SentinelOptions sentinel)
        {
            Section("sync_reader.sentinel");
            String("master_name", sentinel.MasterName);
            String("address", string.Join(",", sentinel.Addresses));
            String("username", sentinel.Username);
            String("password", redact && sentinel.HasPassword ? "***" : sentinel.Password);
            Bool("tls", sentinel.Tls);
        }

        public void String(string key, string value) => Line(key, TomlValue.Quote(value));

        public void Bool(string key, bool value) => Line(key, value ? "true" : "false");

        public void Integer(string key, long value) => Line(key, value.ToString(CultureInfo.InvariantCulture));

        public void Strings(string key, IEnumerable<string> values) => Line(key, "[" + string.Join(", ", values.Select(TomlValue.Quote)) + "]");

        public void Integers(string key, IEnumerable<int> values) =>
            Line(key, "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]");

        private void Line(string key, string value) => _text.Append(key).Append(" = ").Append(value).Append('\n');

        public override string ToString() => _text.ToString();
    }
}
