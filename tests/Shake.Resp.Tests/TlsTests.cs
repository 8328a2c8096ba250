using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Testing;

namespace Shake.Resp.Tests;

public sealed class TlsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "shake-test-tls", Guid.NewGuid().ToString("N"));
    private readonly TestCertificates _certificates;

    public TlsTests() => _certificates = TestCertificates.Create(_directory);

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private async Task<RedisServer> StartTlsOnlyAsync(bool requireClientCertificate, params string[] extra)
    {
        var port = FreePort.Next();
        return await RedisServer.StartAsync(
        [
            "--port", "0", "--tls-port", port.ToString(),
            "--tls-cert-file", _certificates.ServerCertFile, "--tls-key-file", _certificates.ServerKeyFile,
            "--tls-ca-cert-file", _certificates.CaFile, "--tls-auth-clients", requireClientCertificate ? "yes" : "no",
            .. extra,
        ], port: port);
    }

    private RedisConnectionOptions Verified(RedisServer server) => new()
    {
        Address = server.Address, Tls = true, TlsCaFile = _certificates.CaFile,
        TlsCertFile = _certificates.ClientCertFile, TlsKeyFile = _certificates.ClientKeyFile,
        ReadTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task VerifiedServerWithClientCertificateCarriesCommandsAndPipelines()
    {
        await using var server = await StartTlsOnlyAsync(requireClientCertificate: true, "--requirepass", "pw");
        var connection = await RedisConnection.ConnectAsync(Verified(server) with { Password = "pw", Protocol = 3 });
        Assert.True(connection.IsTls);
        Assert.Equal(3, connection.Protocol);
        await using var client = new PipelinedClient<int>(connection, 64);
        var sends = Enumerable.Range(0, 500).Select(i => client.SendAsync("SET", $"k{i}", new string('v', i))).ToList();
        await Task.WhenAll(sends);
        Assert.Equal(500, (await client.SendAsync("DBSIZE")).Integer);
        Assert.Equal(new string('v', 499), (await client.SendAsync("GET", "k499")).AsString());
    }

    [Fact]
    public async Task ServerWhoseCaIsNotTrustedIsRejected()
    {
        await using var server = await StartTlsOnlyAsync(requireClientCertificate: false);
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address, Tls = true, ConnectTimeout = TimeSpan.FromSeconds(5) }));
        Assert.Contains(server.Address, error.Message);
    }

    [Fact]
    public async Task SkipVerifyAcceptsAnUntrustedServer()
    {
        await using var server = await StartTlsOnlyAsync(requireClientCertificate: false);
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address, Tls = true, TlsSkipVerify = true });
        Assert.Equal("PONG", (await connection.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task WrongServerNameIsRejectedEvenWithTheRightCa()
    {
        await using var server = await StartTlsOnlyAsync(requireClientCertificate: false);
        await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisConnection.ConnectAsync(Verified(server) with { TlsServerName = "not-this-host.example" }));
    }

    [Fact]
    public async Task ServerRequiringAClientCertificateRefusesAClientWithoutOne()
    {
        await using var server = await StartTlsOnlyAsync(requireClientCertificate: true);
        // With TLS 1.3 the refusal may only surface on the first exchange after the handshake.
        await Assert.ThrowsAsync<RedisConnectionException>(async () =>
        {
            await using var connection = await RedisConnection.ConnectAsync(Verified(server) with { TlsCertFile = null, TlsKeyFile = null });
            await connection.ExecuteAsync("PING");
        });
    }

    [Fact]
    public async Task PlainTcpClientGetsNoAnswerFromATlsPort()
    {
        await using var server = await StartTlsOnlyAsync(requireClientCertificate: false);
        await Assert.ThrowsAsync<RedisConnectionException>(async () =>
        {
            await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address, ReadTimeout = TimeSpan.FromSeconds(2) });
            await connection.ExecuteAsync("PING");
        });
    }
}
