using Shake.Core.Configuration;

namespace Shake.Core.Tests.Configuration;

/// <summary>Shake's TLS keys in v3 and v4 endpoint sections reach the connection options and the printed configuration.</summary>
public class TlsOptionsTests
{
    private const string Tls = """
        tls = true
        tls_ca_file = "/certs/ca.crt"
        tls_cert_file = "/certs/client.crt"
        tls_key_file = "/certs/client.key"
        tls_server_name = "redis.internal"
        """;

    [Fact]
    public void V4SectionsCarryEveryTlsKeyIntoTheConnectionOptions()
    {
        var config = ShakeConfigLoader.LoadText($"[sync_reader]\naddress = \"127.0.0.1:6379\"\n{Tls}\n[redis_writer]\naddress = \"127.0.0.1:6380\"\ntls = true\ntls_skip_verify = true\n").Config;
        var source = config.Source!.ToConnectionOptions();
        Assert.Equal((true, "/certs/ca.crt", "/certs/client.crt", "/certs/client.key", "redis.internal", false),
            (source.Tls, source.TlsCaFile, source.TlsCertFile, source.TlsKeyFile, source.TlsServerName, source.TlsSkipVerify));
        var target = config.Writer.Target.ToConnectionOptions();
        Assert.True(target is { Tls: true, TlsSkipVerify: true, TlsCaFile: null, TlsCertFile: null });

        var printed = ShakeConfigPrinter.Print(config);
        Assert.Contains("tls_ca_file = \"/certs/ca.crt\"", printed);
        Assert.Contains("tls_skip_verify = true", printed);
        var reloaded = ShakeConfigLoader.LoadText(printed).Config;
        Assert.Equal(config.Source, reloaded.Source);
        Assert.Equal(config.Writer.Target, reloaded.Writer.Target);
    }

    [Fact]
    public void V3SectionsReadTheSameKeys()
    {
        var config = ShakeConfigLoader.LoadText($"type = \"sync\"\n[source]\naddress = \"127.0.0.1:6379\"\n{Tls}\n[target]\naddress = \"127.0.0.1:6380\"\n").Config;
        Assert.Equal("redis.internal", config.Source!.TlsServerName);
        Assert.Equal("/certs/client.key", config.Source.TlsKeyFile);
        Assert.Equal("", config.Writer.Target.TlsCaFile);
    }

    [Fact]
    public void ACertificateWithoutItsKeyOrSkipVerifyWithACaFileIsAnError()
    {
        var error = Assert.Throws<ShakeConfigException>(() => ShakeConfigLoader.LoadText(
            "[sync_reader]\naddress = \"127.0.0.1:6379\"\ntls = true\ntls_cert_file = \"/c.crt\"\n[redis_writer]\naddress = \"127.0.0.1:6380\"\ntls = true\ntls_ca_file = \"/ca\"\ntls_skip_verify = true\n"));
        Assert.Contains(error.Diagnostics, d => d.Key == "sync_reader.tls_cert_file" && d.Message.Contains("tls_key_file"));
        Assert.Contains(error.Diagnostics, d => d.Key == "redis_writer.tls_skip_verify");
    }

    [Fact]
    public void TlsKeysWithoutTlsAreAWarning()
    {
        var loaded = ShakeConfigLoader.LoadText("[sync_reader]\naddress = \"127.0.0.1:6379\"\ntls_ca_file = \"/ca\"\n[redis_writer]\naddress = \"127.0.0.1:6380\"\n");
        Assert.Contains(loaded.Diagnostics, d => d.Key == "sync_reader.tls" && d.Severity == ConfigSeverity.Warning);
    }

    [Fact]
    public void ThePrintedRecordHidesThePassword()
    {
        var options = new RedisInstanceOptions("127.0.0.1:6379", "u", "secret-pw", true, false) { TlsCaFile = "/ca" };
        Assert.DoesNotContain("secret-pw", options.ToString());
        Assert.Contains("TlsCaFile = /ca", options.ToString());
    }
}
