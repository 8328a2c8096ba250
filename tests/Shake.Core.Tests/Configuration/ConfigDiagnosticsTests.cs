using Shake.Core.Configuration;

namespace Shake.Core.Tests.Configuration;

/// <summary>Errors, warnings and not-implemented notes name the key, the line and (for values) what is allowed.</summary>
public class ConfigDiagnosticsTests
{
    private const string V4Base = """
        [sync_reader]
        address = "127.0.0.1:6379"

        [redis_writer]
        address = "127.0.0.1:6380"

        """;

    private static ShakeConfigException LoadFails(string text) =>
        Assert.Throws<ShakeConfigException>(() => ShakeConfigLoader.LoadText(text, "test.toml"));

    [Fact]
    public void WrongValueNamesKeyLineAndAllowedValues()
    {
        var error = LoadFails(V4Base + "[advanced]\nlog_level = \"verbose\"\n");
        var d = Assert.Single(error.Errors);
        Assert.Equal(("advanced.log_level", 7), (d.Key, d.Line));
        Assert.Contains("\"verbose\"", d.Message);
        Assert.Contains("allowed values: \"debug\", \"info\", \"warn\"", d.Message);
        Assert.Contains("line 7: advanced.log_level", error.Message);
    }

    [Fact]
    public void WrongTypeNamesKeyLineAndAllowedValues()
    {
        var error = LoadFails(V4Base + "[advanced]\nncpu = \"4\"\npipeline_count_limit = 0\nrdb_restore_command_behavior = 1\n");
        var errors = error.Errors.ToList();
        Assert.Equal(3, errors.Count);
        Assert.Equal(("advanced.ncpu", 7), (errors[0].Key, errors[0].Line));
        Assert.Contains("found string \"4\"", errors[0].Message);
        Assert.Contains("allowed values: integers from 0 to 1024", errors[0].Message);
        Assert.Equal(("advanced.pipeline_count_limit", 8), (errors[1].Key, errors[1].Line));
        Assert.Contains("allowed values: integers from 1 to", errors[1].Message);
        Assert.Equal(("advanced.rdb_restore_command_behavior", 9), (errors[2].Key, errors[2].Line));
        Assert.Contains("\"panic\", \"rewrite\", \"skip\"", errors[2].Message);
    }

    [Fact]
    public void BadAddressAndMissingWriterAreErrors()
    {
        var error = LoadFails("[sync_reader]\naddress = \"localhost\"\ntls = \"yes\"\n");
        var errors = error.Errors.ToList();
        Assert.Contains(errors, e => e.Key == "sync_reader.address" && e.Line == 2 && e.Message.Contains("host:port"));
        Assert.Contains(errors, e => e.Key == "sync_reader.tls" && e.Line == 3 && e.Message.Contains("true, false"));
        Assert.Contains(errors, e => e.Key == "redis_writer" && e.Message.Contains("required"));
    }

    [Fact]
    public void V3TypeMustBeKnown()
    {
        var error = LoadFails("type = \"copy\"\n[source]\naddress = \"127.0.0.1:1\"\n[target]\naddress = \"127.0.0.1:2\"\n");
        var d = Assert.Single(error.Errors);
        Assert.Equal(("type", 1), (d.Key, d.Line));
        Assert.Contains("\"sync\", \"restore\", \"scan\"", d.Message);
    }

    [Fact]
    public void V3TargetTypeMustBeStandaloneOrCluster()
    {
        var error = LoadFails("type = \"sync\"\n[source]\naddress = \"127.0.0.1:1\"\n[target]\ntype = \"sentinel\"\naddress = \"127.0.0.1:2\"\n");
        var d = Assert.Single(error.Errors);
        Assert.Equal(("target.type", 5), (d.Key, d.Line));
        Assert.Contains("\"standalone\", \"cluster\"", d.Message);
    }

    [Fact]
    public void TwoReadersOrMixedFormatsAreErrors()
    {
        var two = LoadFails(V4Base + "[scan_reader]\naddress = \"127.0.0.1:6379\"\n");
        Assert.Contains(two.Errors, e => e.Message.Contains("only one reader") && e.Message.Contains("[scan_reader] (line 6)"));
        var mixed = LoadFails(V4Base + "[source]\naddress = \"127.0.0.1:6379\"\n");
        Assert.Contains(mixed.Errors, e => e.Message.Contains("mixes redis-shake v3"));
    }

    [Fact]
    public void EveryErrorIsListedAtOnce()
    {
        var error = LoadFails(V4Base + "[advanced]\nlog_level = 1\nlog_interval = 0\n[filter]\nallow_command_group = [\"STRINGS\"]\nallow_db = [-1]\n");
        Assert.Equal(4, error.Errors.Count());
        Assert.Contains(error.Errors, e => e.Key == "filter.allow_command_group" && e.Message.Contains("\"STREAM\""));
    }

    [Fact]
    public void TomlSyntaxErrorsNameLineAndColumn()
    {
        var error = LoadFails("[sync_reader]\naddress = \"127.0.0.1:6379\n");
        var d = Assert.Single(error.Errors);
        Assert.Equal(2, d.Line);
        Assert.Contains("column", d.Message);
    }

    [Theory]
    [InlineData("skip")]
    [InlineData("ignore")]
    [InlineData("SKIP")]
    public void SkipAndIgnoreBothMeanSkip(string spelling)
    {
        var loaded = ShakeConfigLoader.LoadText(V4Base + $"[advanced]\nrdb_restore_command_behavior = \"{spelling}\"\n");
        Assert.Equal(RestoreBehavior.Skip, loaded.Config.Advanced.RdbRestoreCommandBehavior);
    }

    [Fact]
    public void UnknownKeysAreWarningsWithKeyAndLine()
    {
        var loaded = ShakeConfigLoader.LoadText("""
            type = "sync"
            [source]
            address = "127.0.0.1:6379"
            auth = "secret"
            [target]
            address = "127.0.0.1:6380"
            colour = "blue"
            [advanced]
            pipeline_count_limit = 64
            [extra]
            a = 1
            """);
        Assert.Equal(64, loaded.Config.Advanced.PipelineCountLimit);
        var warnings = loaded.Diagnostics.Where(d => d.Severity == ConfigSeverity.Warning).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.Equal(("source.auth", 4), (warnings[0].Key, warnings[0].Line));
        Assert.Contains("did you mean source.password", warnings[0].Message);
        Assert.Equal(("target.colour", 7), (warnings[1].Key, warnings[1].Line));
        Assert.Equal(("extra", 10), (warnings[2].Key, warnings[2].Line));
        Assert.Contains("unknown section [extra]", warnings[2].Message);
        Assert.StartsWith("warning: line 4: source.auth: unknown key", warnings[0].ToString());
    }

    [Fact]
    public void NotYetImplementedOptionsAreReported()
    {
        var loaded = ShakeConfigLoader.LoadText("""
            [sync_reader]
            address = "127.0.0.1:6379"
            prefer_replica = true
            try_diskless = false
            [redis_writer]
            address = "127.0.0.1:6380"
            off_reply = true
            [filter]
            function = "shake.call(DB, ARGV)"
            [advanced]
            status_port = 8080
            empty_db_before_sync = true
            [module]
            target_mbbloom_version = 20400
            """);
        var notes = loaded.Diagnostics.Where(d => d.Severity == ConfigSeverity.NotImplemented).Select(d => (d.Key, d.Line)).ToList();
        Assert.Equal(
            // prefer_replica, try_diskless and empty_db_before_sync are implemented by the sync engine, status_port by the host.
            [("redis_writer.off_reply", 7), ("module.target_mbbloom_version", 14)],
            notes);
        Assert.All(loaded.Diagnostics, d => Assert.Contains("not implement", d.Message));
    }

    [Fact]
    public void AofReaderIsRecognisedButNotImplemented()
    {
        var loaded = ShakeConfigLoader.LoadText("[aof_reader]\nfilepath = \"/tmp/a.aof\"\ntimestamp = 5\n[redis_writer]\naddress = \"127.0.0.1:6380\"\n");
        var reader = Assert.IsType<AofReaderOptions>(loaded.Config.Reader);
        Assert.Equal(5, reader.Timestamp);
        var note = Assert.Single(loaded.Diagnostics);
        Assert.Equal((ConfigSeverity.NotImplemented, "aof_reader", 1), (note.Severity, note.Key, note.Line));
    }

    [Fact]
    public void ScanReaderAndFilterListsAreRead()
    {
        var loaded = ShakeConfigLoader.LoadText(V4Base.Replace("sync_reader", "scan_reader") + """
            [filter]
            allow_key_prefix = ["user:", "product:"]
            block_db = [3, 4]
            block_command = ["flushdb"]
            allow_command_group = ["string", "HASH"]
            """);
        var scan = Assert.IsType<ScanReaderOptions>(loaded.Config.Reader);
        Assert.Equal(1, scan.Count);
        Assert.Equal(["user:", "product:"], loaded.Config.Filter.AllowKeyPrefix);
        Assert.Equal([3, 4], loaded.Config.Filter.BlockDb);
        Assert.Equal(["FLUSHDB"], loaded.Config.Filter.BlockCommand);
        Assert.Equal(["STRING", "HASH"], loaded.Config.Filter.AllowCommandGroup);
    }

    [Fact]
    public void EndpointToStringHidesThePassword()
    {
        var endpoint = new RedisInstanceOptions("127.0.0.1:6379", "app", "hunter2", false, false);
        Assert.DoesNotContain("hunter2", endpoint.ToString());
        Assert.DoesNotContain("hunter2", new SyncReaderOptions(endpoint).ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:6379", true)]
    [InlineData("[::1]:6379", true)]
    [InlineData("redis.local:1", true)]
    [InlineData("localhost", false)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData("127.0.0.1:70000", false)]
    public void AddressesAreChecked(string address, bool valid)
    {
        var text = $"[sync_reader]\naddress = \"{address}\"\n[redis_writer]\naddress = \"127.0.0.1:6380\"\n";
        if (valid)
        {
            Assert.Equal(address, ShakeConfigLoader.LoadText(text).Config.Source!.Address);
            return;
        }
        var error = Assert.Single(LoadFails(text).Errors);
        Assert.Equal(("sync_reader.address", 2), (error.Key, error.Line));
        Assert.Contains("allowed values: host:port", error.Message);
    }
}
