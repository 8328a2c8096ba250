using Shake.Host.Commands;
using Shake.Host.Tests.Faults;
using Shake.Testing;

namespace Shake.Host.Tests.Security;

/// <summary>
/// TLS on both sides through the whole engine: a full sync and the stream with certificates verified against a CA file
/// and client certificates required by both servers; a wrong CA fails naming the cause; <c>tls_skip_verify</c> works.
/// Each server also has a plain port, used only by the test itself to fill and compare.
/// </summary>
[Collection("faults")]
public sealed class TlsSyncTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "shake-test-tls-sync", Guid.NewGuid().ToString("N"));
    private readonly TestCertificates _certificates;
    private readonly TestCertificates _otherCa;

    public TlsSyncTests()
    {
        _certificates = TestCertificates.Create(Path.Combine(_directory, "good"));
        _otherCa = TestCertificates.Create(Path.Combine(_directory, "other"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private async Task<(RedisServer Server, string TlsAddress)> StartAsync(string password)
    {
        var tlsPort = FreePort.Next();
        var server = await RedisServer.StartAsync(
        [
            "--tls-port", tlsPort.ToString(), "--tls-cert-file", _certificates.ServerCertFile, "--tls-key-file", _certificates.ServerKeyFile,
            "--tls-ca-cert-file", _certificates.CaFile, "--tls-auth-clients", "yes", "--requirepass", password,
        ]);
        return (server, $"127.0.0.1:{tlsPort}");
    }

    private string Endpoint(string address, string password, string tls) => $"""
        address = "{address}"
        password = "{password}"
        tls = true
        {tls}
        """;

    private string Verified => $"""
        tls_ca_file = "{_certificates.CaFile}"
        tls_cert_file = "{_certificates.ClientCertFile}"
        tls_key_file = "{_certificates.ClientKeyFile}"
        """;

    private string Config(string source, string target, string dir, string sourceTls, string targetTls, string readerExtra = "") => $"""
        [sync_reader]
        {Endpoint(source, "src-pw", sourceTls)}
        {readerExtra}
        [redis_writer]
        {Endpoint(target, "dst-pw", targetTls)}
        [advanced]
        dir = "{dir}"
        log_interval = 1
        rdb_restore_command_behavior = "rewrite"
        """;

    [Fact]
    public async Task FullSyncAndStreamOverVerifiedTlsOnBothSides()
    {
        var (source, sourceTls) = await StartAsync("src-pw");
        await using var _ = source;
        var (target, targetTls) = await StartAsync("dst-pw");
        await using var __ = target;
        await TestDataWriter.PopulateAsync(source.Address, 20, password: "src-pw");
        using var dir = new TempDir();
        var config = dir.Write("sync.toml", Config(sourceTls, targetTls, dir.Path, Verified, Verified));

        await using var shake = ShakeProcess.Start(config);
        await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
        await using (var load = await WriteLoad.StartAsync(source.Address, 500, password: "src-pw"))
        {
            await Task.Delay(1500);
            await load.PauseAsync();
            await source.CliAsync("-a", "src-pw", "--no-auth-warning", "SET", "marker", "1");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await target.CliAsync("-a", "dst-pw", "--no-auth-warning", "EXISTS", "marker")).Trim() != "1")
            {
                Assert.True(DateTime.UtcNow < deadline, shake.AllText);
                await Task.Delay(50);
            }
            Assert.Null(load.FirstError);
        }
        await RedisDataComparer.AssertEqualAsync(RedisDataSide.Standalone(source.Address, "src-pw"), RedisDataSide.Standalone(target.Address, "dst-pw"), TimeSpan.FromSeconds(5));
        Assert.Equal(0, await shake.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task WrongCaFailsAtOnceNamingTheCertificateAndSkipVerifyConnects()
    {
        var (source, sourceTls) = await StartAsync("src-pw");
        await using var _ = source;
        var (target, targetTls) = await StartAsync("dst-pw");
        await using var __ = target;
        await source.CliAsync("-a", "src-pw", "--no-auth-warning", "DEBUG", "POPULATE", "1000");
        using var dir = new TempDir();
        var client = $"""
            tls_cert_file = "{_certificates.ClientCertFile}"
            tls_key_file = "{_certificates.ClientKeyFile}"
            """;
        var wrongCa = $"tls_ca_file = \"{_otherCa.CaFile}\"\n" + client;

        // The source's certificate does not chain to the configured CA: the run stops at once (no restart loop).
        var started = DateTime.UtcNow;
        var wrong = await ShakeRunner.RunAsync(dir.Write("wrong-source.toml", Config(sourceTls, targetTls, dir.Path, wrongCa, Verified, "sync_aof = false")));
        Assert.Equal(ExitCodes.Failed, wrong.Code);
        Assert.Contains(sourceTls, wrong.Error);
        Assert.Contains("certificate", wrong.Error, StringComparison.OrdinalIgnoreCase);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "a certificate failure must not be retried");

        // The same for the target, and for the system trust store (no CA file), which does not know the test CA.
        var wrongTarget = await ShakeRunner.RunAsync(dir.Write("wrong-target.toml", Config(sourceTls, targetTls, dir.Path, Verified, client, "sync_aof = false")));
        Assert.Equal(ExitCodes.Failed, wrongTarget.Code);
        Assert.Contains(targetTls, wrongTarget.Error);
        Assert.Contains("certificate", wrongTarget.Error, StringComparison.OrdinalIgnoreCase);

        // tls_skip_verify: encrypted, nobody checked; the snapshot arrives.
        var skip = await ShakeRunner.RunAsync(dir.Write("skip.toml", Config(sourceTls, targetTls, dir.Path, "tls_skip_verify = true\n" + client, "tls_skip_verify = true\n" + client, "sync_aof = false")));
        Assert.True(skip.Code == ExitCodes.Success, skip.Error + skip.Output);
        // The snapshot's 1000 keys, and the checkpoint with its index.
        Assert.Equal("1002", (await target.CliAsync("-a", "dst-pw", "--no-auth-warning", "DBSIZE")).Trim());

        // validate prints the TLS settings and connects with them.
        var validate = await ShakeRunner.RunAsync("validate", dir.Write("validate.toml", Config(sourceTls, targetTls, dir.Path, Verified, Verified)));
        Assert.True(validate.Code == ExitCodes.Success, validate.Error + validate.Output);
        Assert.Contains($"tls_ca_file = \"{_certificates.CaFile}\"", validate.Output);
    }
}
