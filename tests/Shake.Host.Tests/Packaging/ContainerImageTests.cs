using System.Net;
using System.Net.Sockets;
using System.Text;
using Shake.Core.Configuration;
using Shake.Testing;

namespace Shake.Host.Tests.Packaging;

/// <summary>
/// docker/Dockerfile and its probe, checked without a Docker engine: what the build stage runs, what the image starts
/// with which defaults, and that entry point against the mounted-config layout in a temporary directory.
/// </summary>
public class ContainerImageTests
{
    private readonly Dockerfile _dockerfile = Dockerfile.Load();

    [Fact]
    public void BuildStagePublishesWithThePublishScriptAndTheImageRunsItAsANonRootUser()
    {
        var froms = _dockerfile.Instructions.Where(i => i.Instruction == "FROM").Select(i => i.Arguments).ToList();
        Assert.Equal(2, froms.Count);
        Assert.Matches(@"/dotnet/sdk:10\.0 AS build$", froms[0]);
        Assert.Contains("/dotnet/runtime-deps:10.0", froms[1]);
        // The image is built by the developers' own publish command, so what is tested here is what ships.
        var publish = Assert.Single(_dockerfile.Instructions, i => i.Instruction == "RUN" && i.Arguments.Contains("publish"));
        Assert.Equal("scripts/publish.sh /out", publish.Arguments);
        Assert.Contains("--from=build /out/shake /out/liblua54.so /opt/shake/", _dockerfile.InFinalStage("COPY"));
        var user = Assert.Single(_dockerfile.InFinalStage("USER"));
        Assert.DoesNotMatch("^(root|0)$", user);
        Assert.Equal(["shake"], Dockerfile.ExecForm(Assert.Single(_dockerfile.InFinalStage("ENTRYPOINT"))));
        Assert.Equal(["/etc/sync/sync.toml"], Dockerfile.ExecForm(Assert.Single(_dockerfile.InFinalStage("CMD"))));
        Assert.Equal("/data", _dockerfile.Environment()[DefaultDirectory.Variable]);
        Assert.Equal("/data", Assert.Single(_dockerfile.InFinalStage("WORKDIR")));
        Assert.Contains("org.opencontainers.image.title=\"shake\"", Assert.Single(_dockerfile.InFinalStage("LABEL")));
        Assert.EndsWith("CMD [\"/opt/shake/healthcheck\"]", Assert.Single(_dockerfile.InFinalStage("HEALTHCHECK")));
    }

    [NativeFact]
    public async Task EntrypointRunsTheMountedConfigWithItsStateInTheDataVolume()
    {
        var shake = await NativeShake.PathAsync();
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(shake)!, "liblua54.so")), "the image copies liblua54.so from the publish folder");
        using var root = new TempDir();
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "5000", "key", "10");
        // The container's file system, under a temporary root: /etc/sync holds the mounted configuration, /data the volume.
        string InRoot(string path) => Path.Combine(root.Path, path.TrimStart('/'));
        Directory.CreateDirectory(InRoot("/etc/sync"));
        Directory.CreateDirectory(InRoot("/data"));
        File.WriteAllText(InRoot("/etc/sync/sync.toml"), $"""
            [sync_reader]
            address = "{source.Address}"
            sync_aof = false
            [redis_writer]
            address = "{target.Address}"
            """);
        var entrypoint = Dockerfile.ExecForm(_dockerfile.InFinalStage("ENTRYPOINT")[0]);
        var arguments = Dockerfile.ExecForm(_dockerfile.InFinalStage("CMD")[0]).Select(InRoot);
        var environment = _dockerfile.Environment().Where(e => e.Key != "PATH").ToDictionary(e => e.Key, e => (string?)InRoot(e.Value));
        Assert.Equal("shake", entrypoint[0]);
        var (code, output, error) = await ChildProcess.RunAsync(shake, [.. entrypoint.Skip(1), .. arguments], TimeSpan.FromSeconds(120),
            workingDirectory: InRoot(_dockerfile.InFinalStage("WORKDIR")[0]), environment: environment);
        Assert.True(code == 0, error + output);
        Assert.Equal(5000, await SyncRunTests.DbSize(target));
        // No `dir` in the file: the log went to the volume (SHAKE_DIR), not to a "data" folder below the working directory.
        Assert.Contains("full sync done", File.ReadAllText(InRoot("/data/shake.log")));
        Assert.False(Directory.Exists(InRoot("/data/data")));
    }

    [Fact]
    public async Task HealthProbeAsksGetSlashOnTheConfiguredStatusPort()
    {
        using var dir = new TempDir();
        using var healthy = new OneAnswerHttpServer("HTTP/1.1 200 OK");
        using var failing = new OneAnswerHttpServer("HTTP/1.1 503 Service Unavailable");
        Assert.Equal(0, (await Probe(dir.Write("v4.toml", $"[advanced]\nstatus_port = {healthy.Port}\n"))).Code);
        Assert.StartsWith("GET / HTTP/1.", healthy.Requests.Single());
        Assert.Equal(0, (await Probe(dir.Write("v3.toml", $"[advanced]\nmetrics_port = {healthy.Port}\n"))).Code);
        var refused = await Probe(dir.Write("503.toml", $"[advanced]\nstatus_port = {failing.Port}\n"));
        Assert.Equal(1, refused.Code);
        Assert.Contains("503", refused.Error);
        Assert.Equal(1, (await Probe(dir.Write("closed.toml", $"[advanced]\nstatus_port = {FreePort.Next()}\n"))).Code);
        // No status port configured: the process being alive is all there is to check.
        Assert.Equal(0, (await Probe(dir.Write("none.toml", "[advanced]\nlog_interval = 5\n"))).Code);
    }

    private static Task<(int Code, string Output, string Error)> Probe(string config) =>
        ChildProcess.RunAsync("bash", [RepositoryPaths.Of("docker", "healthcheck.sh")], TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string?> { ["SHAKE_CONFIG"] = config, ["SHAKE_STATUS_PORT"] = null });

    /// <summary>An HTTP server on 127.0.0.1 that answers every request with one status line and records the request lines.</summary>
    private sealed class OneAnswerHttpServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _requests = [];

        public OneAnswerHttpServer(string statusLine)
        {
            _listener.Start();
            _ = ServeAsync(statusLine);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public IReadOnlyList<string> Requests
        {
            get
            {
                lock (_requests) return [.. _requests];
            }
        }

        private async Task ServeAsync(string statusLine)
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                    var request = await reader.ReadLineAsync(_stop.Token) ?? "";
                    lock (_requests) _requests.Add(request);
                    while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 })
                    {
                    }
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{statusLine}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
