using Shake.Core.Configuration;
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

    [Fact]
    public void Large_value_threshold_comes_from_the_advanced_section_in_megabytes_and_defaults_to_64()
    {
        var options = EngineOptionsFactory.TryCreate(ShakeConfigLoader.LoadText(Base + "[advanced]\nlarge_value_threshold_mb = 8\n").Config, out _);
        Assert.Equal(8L << 20, options!.LargeValueThresholdBytes);
        Assert.Equal(64L << 20, EngineOptionsFactory.TryCreate(ShakeConfigLoader.LoadText(Base).Config, out _)!.LargeValueThresholdBytes);
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
}
