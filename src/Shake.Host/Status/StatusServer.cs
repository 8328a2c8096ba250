using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shake.Core.Status;

namespace Shake.Host.Status;

/// <summary>Where the status endpoint listens and what it reports.</summary>
/// <param name="Address">Interface to bind: an IP address or <c>localhost</c> (<c>[advanced] status_address</c>, 127.0.0.1 by default).</param>
/// <param name="Ports">The ports to listen on (<c>status_port</c>/<c>metrics_port</c>, and <c>pprof_port</c>); 0s are left out.</param>
/// <param name="Mode"><c>sync</c> or <c>restore</c>, for the document.</param>
public sealed record StatusServerOptions(string Address, IReadOnlyList<int> Ports, string Mode);

/// <summary>
/// The status endpoint: Kestrel (ASP.NET Core's empty builder: no configuration sources, no reflection-based features), serving
/// <c>GET /</c> (JSON, <see cref="StatusDocument"/>), <c>GET /metrics</c> (Prometheus text of the <see cref="EngineInstruments"/>
/// and the runtime's own <c>System.Runtime</c> meter), <c>GET /healthz</c> (liveness), <c>GET /readyz</c> (every engine
/// streaming) and <c>GET /debug/runtime</c> (<see cref="RuntimeFigures"/>). Its meter is its own: two servers in one
/// process (tests) do not see each other's figures.
/// </summary>
public sealed class StatusServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;

    private StatusServer(WebApplication app, Meter meter, PrometheusExporter exporter, IReadOnlyList<string> urls)
    {
        _app = app;
        _meter = meter;
        _exporter = exporter;
        Urls = urls;
    }

    /// <summary>The addresses listened on, as <c>http://host:port</c>.</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>Starts listening; <paramref name="engines"/> reads every engine's status on each request.</summary>
    public static async Task<StatusServer> StartAsync(StatusServerOptions options, Func<IReadOnlyList<EngineStatus>> engines, CancellationToken cancellation)
    {
        // The empty builder reads no configuration files or environment and logs nothing: only Kestrel is added.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        // The process's own signal handling stops the engines; the endpoint is stopped by disposing it.
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var port in options.Ports.Where(p => p > 0).Distinct())
            {
                if (options.Address == "localhost") kestrel.ListenLocalhost(port);
                else kestrel.Listen(IPAddress.Parse(options.Address), port);
            }
        });
        var app = builder.Build();
        var meter = new Meter(EngineInstruments.MeterName, typeof(StatusServer).Assembly.GetName().Version?.ToString(3));
        _ = new EngineInstruments(meter, engines);
        var exporter = new PrometheusExporter(m => ReferenceEquals(m, meter) || m.Name == "System.Runtime");
        var endpoints = new StatusEndpoints(options.Mode, engines, exporter, new RuntimeSampler());
        app.Run(endpoints.HandleAsync);
        try
        {
            await app.StartAsync(cancellation);
        }
        catch
        {
            exporter.Dispose();
            meter.Dispose();
            await app.DisposeAsync();
            throw;
        }
        var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        return new StatusServer(app, meter, exporter, urls);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _app.StopAsync(timeout.Token); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync();
        _exporter.Dispose();
        _meter.Dispose();
    }

    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Answers the status endpoint's requests (one terminal handler: no routing tables, nothing reflected).</summary>
internal sealed class StatusEndpoints(string mode, Func<IReadOnlyList<EngineStatus>> engines, PrometheusExporter exporter, RuntimeSampler runtime)
{
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly string _version = typeof(StatusEndpoints).Assembly.GetName().Version?.ToString(3) ?? "";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }
        response.Headers.CacheControl = "no-store";
        switch (request.Path.Value)
        {
            case "/" or "":
                var now = DateTimeOffset.UtcNow;
                await WriteJsonAsync(response, new StatusDocument(_version, mode, _startedAt, (now - _startedAt).TotalSeconds, engines()), StatusJsonContext.Default.StatusDocument, context.RequestAborted);
                break;
            case "/metrics":
                response.ContentType = PrometheusExporter.ContentType;
                await response.WriteAsync(exporter.Scrape(), context.RequestAborted);
                break;
            case "/healthz":
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync("ok\n", context.RequestAborted);
                break;
            case "/readyz":
                var list = engines();
                var ready = list.Count > 0 && list.All(e => e.Phase == Core.Engine.EnginePhase.Incremental);
                response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                var described = list.Select(e => $"{(e.Shard is { } shard ? $"shard {shard}" : "engine")}: {EngineInstruments.PhaseName(e.Phase)}{(e.LastError is { } error ? $" (last error: {error})" : "")}").ToList();
                await WriteJsonAsync(response, new Readiness(ready, described), StatusJsonContext.Default.Readiness, context.RequestAborted);
                break;
            case "/debug/runtime":
                await WriteJsonAsync(response, runtime.Read(), StatusJsonContext.Default.RuntimeFigures, context.RequestAborted);
                break;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync("not found; try /, /metrics, /healthz, /readyz or /debug/runtime\n", context.RequestAborted);
                break;
        }
    }

    private static async Task WriteJsonAsync<T>(HttpResponse response, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellation)
    {
        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, value, type, cancellation);
    }
}

/// <summary>Starts the status endpoint when the configuration asks for one.</summary>
public static class StatusEndpoint
{
    /// <summary>
    /// A started <see cref="StatusServer"/> on <c>status_port</c> (v3 <c>metrics_port</c>) and <c>pprof_port</c> at
    /// <c>status_address</c>, or null when both ports are 0; a port that cannot be bound throws, naming it.
    /// </summary>
    public static async Task<StatusServer?> StartAsync(Core.Configuration.AdvancedOptions advanced, string mode, Func<IReadOnlyList<EngineStatus>> engines, ILogger logger, CancellationToken cancellation)
    {
        int[] ports = [.. new[] { advanced.StatusPort, advanced.PprofPort }.Where(p => p > 0)];
        if (ports.Length == 0) return null;
        StatusServer server;
        try
        {
            server = await StatusServer.StartAsync(new StatusServerOptions(advanced.StatusAddress, ports, mode), engines, cancellation);
        }
        catch (IOException e)
        {
            throw new IOException($"the status endpoint cannot listen on {advanced.StatusAddress} port {string.Join(" and ", ports)}: {e.Message}", e);
        }
        logger.LogInformation("status endpoint: {Urls} (GET / as JSON, /metrics, /healthz, /readyz, /debug/runtime)", string.Join(", ", server.Urls));
        return server;
    }
}
