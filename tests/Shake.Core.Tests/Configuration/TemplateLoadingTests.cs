using Shake.Core.Configuration;
using Shake.Testing;

namespace Shake.Core.Tests.Configuration;

/// <summary>The seed's sync.toml and redis-shake's own templates load unchanged.</summary>
public class TemplateLoadingTests
{
    private static LoadedConfig LoadDesign(string name) => ShakeConfigLoader.Load(SharedAssets.PathOf("design", name)!);

    [SharedFact]
    public void SeedSyncTomlLoadsAsV3SyncToACluster()
    {
        var loaded = LoadDesign("sync.toml");
        var config = loaded.Config;
        Assert.Equal(ConfigFormat.RedisShakeV3, config.Format);
        var reader = Assert.IsType<SyncReaderOptions>(config.Reader);
        Assert.Equal("10.233.109.145:6379", reader.Source.Address);
        Assert.Equal("3wPxzWffdn", reader.Source.Password);
        Assert.Equal("6.0", reader.Source.Version);
        Assert.False(reader.Source.Cluster);
        Assert.True(reader.SyncRdb && reader.SyncAof);
        Assert.True(config.Writer.Target.Cluster);
        Assert.Equal("10.233.103.2:6379", config.Writer.Target.Address);
        Assert.Equal(("10.233.103.2", 6379), (config.Writer.Target.Endpoint.Host, config.Writer.Target.Endpoint.Port));
        Assert.Equal("Aa123456", config.Writer.Target.Password);
        Assert.Equal(4, config.Advanced.Ncpu);
        Assert.Equal(RestoreBehavior.Rewrite, config.Advanced.RdbRestoreCommandBehavior);
        Assert.Equal(1_024_000_000L, config.Advanced.TargetRedisClientMaxQuerybufLen);
        Assert.Equal(512_000_000L, config.Advanced.TargetRedisProtoMaxBulkLen);
        Assert.Equal(1024, config.Advanced.PipelineCountLimit);
        Assert.Equal("redis-shake.log", config.Advanced.LogFile);
        Assert.Equal(5, config.Advanced.LogInterval);
        Assert.DoesNotContain(loaded.Diagnostics, d => d.Severity == ConfigSeverity.Error);
        // Every option of the seed is one Shake acts on (ncpu pins the process to that many CPUs), so nothing is reported.
        Assert.Empty(loaded.Diagnostics);
    }

    [SharedFact]
    public void V3SyncTemplateLoads()
    {
        var loaded = LoadDesign("sync-v3.toml");
        var reader = Assert.IsType<SyncReaderOptions>(loaded.Config.Reader);
        Assert.Equal("127.0.0.1:6379", reader.Source.Address);
        Assert.Equal("5.0", reader.Source.Version);
        Assert.False(loaded.Config.Writer.Target.Cluster);
        Assert.Equal("127.0.0.1:6380", loaded.Config.Writer.Target.Address);
    }

    [SharedFact]
    public void V3RestoreTemplateLoadsWithTheRdbPathUnderDir()
    {
        var loaded = LoadDesign("restore-v3.toml");
        var reader = Assert.IsType<RdbReaderOptions>(loaded.Config.Reader);
        Assert.Equal(Path.Combine("data", "dump.rdb"), reader.FilePath);
        Assert.Equal("restore", reader.Mode);
        Assert.Equal("127.0.0.1:6379", loaded.Config.Writer.Target.Address);
        Assert.Null(loaded.Config.Source);
    }

    [SharedFact]
    public void V3ScanTemplateLoads()
    {
        var loaded = LoadDesign("scan-v3.toml");
        var reader = Assert.IsType<ScanReaderOptions>(loaded.Config.Reader);
        Assert.Equal("127.0.0.1:6379", reader.Source.Address);
        Assert.Empty(reader.Dbs);
        Assert.Empty(loaded.Diagnostics);
    }

    [SharedFact]
    public void V4TemplateLoadsWithItsDefaults()
    {
        var loaded = LoadDesign("shake-v4.toml");
        var config = loaded.Config;
        Assert.Equal(ConfigFormat.RedisShakeV4, config.Format);
        var reader = Assert.IsType<SyncReaderOptions>(config.Reader);
        Assert.Equal("127.0.0.1:6379", reader.Source.Address);
        Assert.Equal("127.0.0.1:6380", config.Writer.Target.Address);
        Assert.Equal(RestoreBehavior.Panic, config.Advanced.RdbRestoreCommandBehavior);
        Assert.Equal(1_073_741_824L, config.Advanced.TargetRedisClientMaxQuerybufLen);
        Assert.Equal("shake.log", config.Advanced.LogFile);
        Assert.Equal(20603, config.Module.TargetMbbloomVersion);
        Assert.Empty(config.Filter.AllowKeyPrefix);
        Assert.Empty(loaded.Diagnostics);
    }

    [SharedTheory]
    [InlineData("sync.toml")]
    [InlineData("sync-v3.toml")]
    [InlineData("restore-v3.toml")]
    [InlineData("scan-v3.toml")]
    [InlineData("shake-v4.toml")]
    public void PrintedEffectiveConfigLoadsBackToTheSameConfig(string name)
    {
        var original = LoadDesign(name).Config;
        var printed = ShakeConfigPrinter.Print(original, redactSecrets: false);
        var reloaded = ShakeConfigLoader.LoadText(printed, "printed").Config;
        Assert.Equal(ConfigFormat.RedisShakeV4, reloaded.Format);
        // Comments (origin, v3 version hints) are not settings; every setting line must survive the round trip.
        static IEnumerable<string> Settings(string text) => text.Split('\n').Where(l => !l.StartsWith('#'));
        Assert.Equal(Settings(printed), Settings(ShakeConfigPrinter.Print(reloaded, redactSecrets: false)));
    }

    [SharedFact]
    public void PrintedConfigRedactsPasswords()
    {
        var printed = ShakeConfigPrinter.Print(LoadDesign("sync.toml").Config);
        Assert.DoesNotContain("3wPxzWffdn", printed);
        Assert.DoesNotContain("Aa123456", printed);
        Assert.Equal(2, printed.Split('\n').Count(l => l == "password = \"***\""));
        Assert.Contains("address = \"10.233.109.145:6379\"", printed);
    }
}
