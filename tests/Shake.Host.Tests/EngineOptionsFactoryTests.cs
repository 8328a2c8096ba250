using Shake.Core.Configuration;
using Shake.Core.Spool;
using Shake.Host.Running;

namespace Shake.Host.Tests;

public sealed class EngineOptionsFactoryTests
{
    private const string Base = "[sync_reader]\naddress = \"127.0.0.1:6379\"\n[redis_writer]\naddress = \"127.0.0.1:6380\"\n";

    [Fact]
    public void Spool_limits_come_from_the_advanced_section_in_megabytes()
    {
        var config = ShakeConfigLoader.LoadText(Base + "[advanced]\nspool_memory_limit_mb = 64\nspool_disk_limit_mb = 2048\n").Config;
        var options = EngineOptionsFactory.TryCreate(config, out var unsupported);
        Assert.Null(unsupported);
        Assert.Equal(64L << 20, options!.SpoolMemoryLimitBytes);
        Assert.Equal(2048L << 20, options.SpoolDiskLimitBytes);
    }

    [Theory]
    [InlineData("", SpoolCompression.None)]
    [InlineData("spool_compression = \"none\"\n", SpoolCompression.None)]
    [InlineData("spool_compression = \"lz4\"\n", SpoolCompression.Lz4)]
    public void Spool_compression_comes_from_the_advanced_section(string line, SpoolCompression expected)
    {
        var loaded = ShakeConfigLoader.LoadText(Base + "[advanced]\n" + line);
        Assert.DoesNotContain(loaded.Diagnostics, d => d.Key.Contains("spool_compression"));
        var options = EngineOptionsFactory.TryCreate(loaded.Config, out _);
        Assert.Equal(expected, options!.SpoolCompression);
        Assert.Contains($"spool_compression = \"{expected.ToString().ToLowerInvariant()}\"", ShakeConfigPrinter.Print(loaded.Config));
    }

    [Fact]
    public void An_unknown_spool_compression_is_an_error_naming_the_key_and_the_choices()
    {
        var error = Assert.Throws<ShakeConfigException>(() => ShakeConfigLoader.LoadText(Base + "[advanced]\nspool_compression = \"zstd\"\n"));
        var diagnostic = Assert.Single(error.Errors);
        Assert.Equal("advanced.spool_compression", diagnostic.Key);
        Assert.Contains("lz4", diagnostic.Message);
    }

    [Fact]
    public void Large_value_threshold_comes_from_the_advanced_section_in_megabytes_and_defaults_to_32()
    {
        var options = EngineOptionsFactory.TryCreate(ShakeConfigLoader.LoadText(Base + "[advanced]\nlarge_value_threshold_mb = 8\n").Config, out _);
        Assert.Equal(8L << 20, options!.LargeValueThresholdBytes);
        Assert.Equal(32L << 20, EngineOptionsFactory.TryCreate(ShakeConfigLoader.LoadText(Base).Config, out _)!.LargeValueThresholdBytes);
    }

    [Fact]
    public void Spool_limits_default_to_16_MB_in_memory_and_16_GB_on_disk()
    {
        var options = EngineOptionsFactory.TryCreate(ShakeConfigLoader.LoadText(Base).Config, out _);
        Assert.Equal(16L << 20, options!.SpoolMemoryLimitBytes);
        Assert.Equal(16L << 30, options.SpoolDiskLimitBytes);
    }

    [Fact]
    public void A_spool_limit_out_of_range_is_an_error_naming_the_key()
    {
        var error = Assert.Throws<ShakeConfigException>(() => ShakeConfigLoader.LoadText(Base + "[advanced]\nspool_memory_limit_mb = 0\n", "sync.toml"));
        Assert.Contains("advanced.spool_memory_limit_mb", error.Message);
    }

    [Fact]
    public void Validation_options_default_off_and_are_read_from_v4_and_v3_files()
    {
        var defaults = EngineOptionsFactory.TryCreate(ShakeConfigLoader.LoadText(Base).Config, out _)!;
        Assert.False(defaults.RestoreSinglePass);
        Assert.False(defaults.ValidateSourcePayloads);

        var v4 = ShakeConfigLoader.LoadText(Base + "[advanced]\nrestore_single_pass = true\nvalidate_source_payloads = true\n").Config;
        var options = EngineOptionsFactory.TryCreate(v4, out _)!;
        Assert.True(options.RestoreSinglePass);
        Assert.True(options.ValidateSourcePayloads);
        var printed = ShakeConfigPrinter.Print(v4);
        Assert.Contains("restore_single_pass = true", printed);
        Assert.Contains("validate_source_payloads = true", printed);

        const string v3 = "type = \"restore\"\n[source]\nrdb_file_path = \"dump.rdb\"\n[target]\naddress = \"127.0.0.1:6380\"\n[advanced]\nrestore_single_pass = true\nvalidate_source_payloads = true\n";
        var fromV3 = ShakeConfigLoader.LoadText(v3).Config.Advanced;
        Assert.True(fromV3.RestoreSinglePass);
        Assert.True(fromV3.ValidateSourcePayloads);
    }

    [Fact]
    public void Checkpoints_are_on_by_default_and_their_options_are_read_from_v4_and_v3_files()
    {
        var defaults = EngineOptionsFactory.TryCreate(ShakeConfigLoader.LoadText(Base).Config, out _)!;
        Assert.Equal("shake-checkpoint", defaults.Checkpoint.Prefix);
        Assert.True(defaults.Checkpoint.Enabled);
        Assert.True(defaults.Checkpoint.GuardOppositeDirection);
        Assert.False(defaults.TargetMustBeEmpty);

        var v4 = ShakeConfigLoader.LoadText(Base + "[advanced]\ncheckpoint_key = \"my-ckpt\"\ncheckpoint_guard = false\ntarget_must_be_empty = true\n").Config;
        var options = EngineOptionsFactory.TryCreate(v4, out _)!;
        Assert.Equal("my-ckpt", options.Checkpoint.Prefix);
        Assert.False(options.Checkpoint.GuardOppositeDirection);
        Assert.True(options.TargetMustBeEmpty);
        var printed = ShakeConfigPrinter.Print(v4);
        Assert.Contains("checkpoint_key = \"my-ckpt\"", printed);
        Assert.Contains("checkpoint_guard = false", printed);
        Assert.Contains("target_must_be_empty = true", printed);

        const string v3 = "type = \"sync\"\n[source]\naddress = \"127.0.0.1:6379\"\n[target]\naddress = \"127.0.0.1:6380\"\n[advanced]\ncheckpoint_key = \"\"\ntarget_must_be_empty = true\n";
        var fromV3 = EngineOptionsFactory.TryCreate(ShakeConfigLoader.LoadText(v3).Config, out _)!;
        Assert.False(fromV3.Checkpoint.Enabled);
        Assert.True(fromV3.TargetMustBeEmpty);
    }
}
