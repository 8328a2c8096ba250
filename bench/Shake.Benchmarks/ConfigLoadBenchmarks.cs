using BenchmarkDotNet.Attributes;
using Shake.Core.Configuration;
using Shake.Core.Toml;

namespace Shake.Benchmarks;

/// <summary>Start-up cost of reading a configuration: the TOML reader alone, and the full load with checks.</summary>
[MemoryDiagnoser]
public class ConfigLoadBenchmarks
{
    // A v4 file of typical size, with comments, arrays and underscores in numbers.
    private const string Text = """
        # replicate one leader of the production cluster
        [sync_reader]
        cluster = false            # one shake per source leader
        address = "127.0.0.1:6379"
        username = ""
        password = "example"
        tls = false
        sync_rdb = true
        sync_aof = true

        [redis_writer]
        cluster = true
        address = "127.0.0.1:7000"
        username = "shake"
        password = "example"
        tls = false

        [filter]
        allow_key_prefix = ["user:", "order:", "cart:"]
        block_key_prefix = ["tmp:"]
        allow_db = [0, 1]
        block_command = ["FLUSHALL", "FLUSHDB"]
        block_command_group = ["SCRIPTING", "PUBSUB"]

        [advanced]
        dir = "data"
        log_file = "shake.log"
        log_level = "info"
        log_interval = 5
        rdb_restore_command_behavior = "rewrite"
        pipeline_count_limit = 1024
        target_redis_client_max_querybuf_len = 1024_000_000
        target_redis_proto_max_bulk_len = 512_000_000
        """;

    [Benchmark]
    public TomlTable ParseToml() => TomlParser.Parse(Text);

    [Benchmark]
    public LoadedConfig LoadConfig() => ShakeConfigLoader.LoadText(Text, "bench.toml");
}
