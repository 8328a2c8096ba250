using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shake.Host.Commands;
using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary><c>status_port</c> of a running sync: the JSON document, the Prometheus text, health and runtime figures.</summary>
public class StatusEndpointTests
{
    [Fact]
    public async Task A_running_sync_serves_its_status_as_JSON_and_Prometheus_text_on_loopback_with_figures_that_move()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "2000", "key", "10");
        using var dir = new TempDir();
        var port = FreePort.Next();
        var pprof = FreePort.Next();
        var config = dir.Write("sync.toml", $"""
            [sync_reader]
            address = "{source.Address}"
            [redis_writer]
            address = "{target.Address}"
            [advanced]
            dir = "{dir.Path}"
            status_port = {port}
            pprof_port = {pprof}
            log_interval = 1
            """);
        await using var shake = InProcessShake.Start(config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

        var first = await StatusHttp.WaitForAsync(http, d => Engines(d).Single().GetProperty("phase").GetString() == "incremental", TimeSpan.FromSeconds(60), shake);
        var engine = Engines(first).Single();
        Assert.Equal("sync", first.RootElement.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, engine.GetProperty("shard").ValueKind);
        Assert.Equal(source.Address, engine.GetProperty("source").GetString());
        Assert.Equal(40, engine.GetProperty("replication_id").GetString()!.Length);
        Assert.Equal(target.Address, Assert.Single(engine.GetProperty("target_nodes").EnumerateArray()).GetString());
        Assert.Equal(JsonValueKind.Null, engine.GetProperty("last_error").ValueKind);
        var keys = engine.GetProperty("keys");
        Assert.Equal(2000, keys.GetProperty("applied").GetInt64());
        Assert.Equal(keys.GetProperty("applied").GetInt64(), keys.GetProperty("restored").GetInt64() + keys.GetProperty("converted").GetInt64());
        Assert.Equal(0, keys.GetProperty("failed").GetInt64());
        foreach (var name in new[] { "skipped", "skipped_expired", "skipped_existing", "replaced" }) Assert.True(keys.TryGetProperty(name, out _), name);
        foreach (var name in new[] { "spool_memory_bytes", "spool_disk_bytes", "lag_bytes", "lag_milliseconds" }) Assert.True(engine.GetProperty(name).GetInt64() >= 0, name);
        foreach (var name in new[] { "source", "received", "sent", "applied", "acknowledged" }) Assert.True(engine.GetProperty("offsets").TryGetProperty(name, out _), name);
        var metricsBefore = StatusHttp.ParsePrometheus(await http.GetStringAsync("/metrics"));

        // Writes move the offsets of both the document and the metrics.
        await using (var writer = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = source.Address }))
        {
            for (var i = 0; i < 500; i++) await writer.ExecuteAsync(["SET", $"live:{i}", new string('x', 100)]);
        }
        var sourceOffset = long.Parse((await source.CliAsync("INFO", "replication")).Split('\n').First(l => l.StartsWith("master_repl_offset:", StringComparison.Ordinal)).Split(':')[1].Trim(), CultureInfo.InvariantCulture);
        var later = await StatusHttp.WaitForAsync(http, d => Engines(d).Single().GetProperty("offsets").GetProperty("applied").GetInt64() >= sourceOffset
            && Engines(d).Single().GetProperty("offsets").GetProperty("acknowledged").GetInt64() >= sourceOffset, TimeSpan.FromSeconds(30), shake);
        var offsets = Engines(later).Single().GetProperty("offsets");
        Assert.True(offsets.GetProperty("received").GetInt64() >= offsets.GetProperty("applied").GetInt64());
        Assert.True(offsets.GetProperty("applied").GetInt64() > engine.GetProperty("offsets").GetProperty("applied").GetInt64());
        Assert.True(Engines(later).Single().GetProperty("commands").GetProperty("forwarded").GetInt64() >= 500);

        var metricsText = await http.GetStringAsync("/metrics");
        var metrics = StatusHttp.ParsePrometheus(metricsText);
        var labels = $"shard=\"all\",source=\"{source.Address}\"";
        Assert.Equal(2000, metrics[$"shake_keys_applied_total{{{labels}}}"]);
        Assert.True(metrics[$"shake_offset_applied{{{labels}}}"] > metricsBefore[$"shake_offset_applied{{{labels}}}"], "the applied offset moved");
        Assert.True(metrics[$"shake_commands_forwarded_total{{{labels}}}"] >= metricsBefore[$"shake_commands_forwarded_total{{{labels}}}"] + 500);
        Assert.Equal(1, metrics[$"shake_engine_phase{{{labels},phase=\"incremental\"}}"]);
        Assert.Contains(metrics.Keys, k => k.StartsWith("dotnet_gc_collections_total", StringComparison.Ordinal));

        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/nothing")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync("/", null)).StatusCode);
        using var runtime = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{pprof}/debug/runtime"));
        Assert.Equal(3, runtime.RootElement.GetProperty("gc_collections").GetArrayLength());
        Assert.True(runtime.RootElement.GetProperty("thread_pool_threads").GetInt32() > 0);
        Assert.True(runtime.RootElement.GetProperty("allocated_bytes").GetInt64() > 0);

        // Bound to loopback only (read from the kernel's socket table: no other address is dialled).
        Assert.Equal(["127.0.0.1"], StatusHttp.ListeningAddresses(port));
        Assert.Equal(["127.0.0.1"], StatusHttp.ListeningAddresses(pprof));
        Assert.Equal(0, await shake.StopAsync());
        Assert.Contains($"status endpoint: http://127.0.0.1:{port}", shake.Output);
    }

    private static IEnumerable<JsonElement> Engines(JsonDocument document) => document.RootElement.GetProperty("engines").EnumerateArray();
}

/// <summary>Reads the status endpoint in tests.</summary>
internal static partial class StatusHttp
{
    /// <summary>Polls <c>GET /</c> until <paramref name="condition"/> holds.</summary>
    public static async Task<JsonDocument> WaitForAsync(HttpClient http, Func<JsonDocument, bool> condition, TimeSpan timeout, InProcessShake shake)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "(no answer)";
        while (true)
        {
            if (shake.Exited) throw new InvalidOperationException($"shake exited: {shake.Output}{shake.Error}");
            try
            {
                last = await http.GetStringAsync("/");
                var document = JsonDocument.Parse(last);
                if (condition(document)) return document;
                document.Dispose();
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the status never matched; last: {last}");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (?<value>[-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf)|NaN)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<text>.+)$")]
    private static partial Regex CommentLine();

    /// <summary>
    /// Parses the Prometheus text format strictly: every line a HELP, a TYPE (counter or gauge) or a sample whose
    /// metric was declared by both before it; returns the samples by <c>name{labels}</c>.
    /// </summary>
    public static Dictionary<string, double> ParsePrometheus(string text)
    {
        Assert.EndsWith("\n", text);
        var help = new HashSet<string>();
        var types = new Dictionary<string, string>();
        var samples = new Dictionary<string, double>();
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                var comment = CommentLine().Match(line);
                Assert.True(comment.Success, $"not a HELP or TYPE line: {line}");
                var name = comment.Groups["name"].Value;
                if (comment.Groups["kind"].Value == "HELP") Assert.True(help.Add(name), $"second HELP for {name}");
                else
                {
                    Assert.Contains(comment.Groups["text"].Value, new[] { "counter", "gauge" });
                    Assert.True(types.TryAdd(name, comment.Groups["text"].Value), $"second TYPE for {name}");
                }
                continue;
            }
            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a valid sample line: {line}");
            var metric = sample.Groups["name"].Value;
            Assert.True(help.Contains(metric) && types.ContainsKey(metric), $"sample without HELP and TYPE: {line}");
            if (types[metric] == "counter") Assert.EndsWith("_total", metric);
            var key = metric + sample.Groups["labels"].Value;
            Assert.True(samples.TryAdd(key, double.Parse(sample.Groups["value"].Value.Replace("Inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture)), $"duplicate sample {key}");
        }
        return samples;
    }

    /// <summary>The local addresses of IPv4 and IPv6 sockets listening on <paramref name="port"/>, from /proc/net/tcp{,6}.</summary>
    public static List<string> ListeningAddresses(int port)
    {
        var found = new List<string>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file)) continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[3] != "0A") continue;
                var local = fields[1].Split(':');
                if (int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port) continue;
                var bytes = Convert.FromHexString(local[0]);
                // The kernel prints each 32-bit word in host (little-endian) order.
                for (var i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
                found.Add(new IPAddress(bytes).ToString());
            }
        }
        return found;
    }
}

/// <summary>The <c>shake</c> command line running in-process until stopped, with its output captured.</summary>
internal sealed class InProcessShake : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly Task<int> _run;

    private InProcessShake(string[] args)
    {
        _run = ShakeCommandLine.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = TextWriter.Synchronized(_output), Error = TextWriter.Synchronized(_error) }, _stop.Token);
    }

    public static InProcessShake Start(params string[] args) => new(args);

    public bool Exited => _run.IsCompleted;

    public string Output => _output.ToString();

    public string Error => _error.ToString();

    /// <summary>Stops it as SIGTERM would and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        _stop.Cancel();
        return await _run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _run.WaitAsync(TimeSpan.FromSeconds(30)); } catch (Exception) { }
        _stop.Dispose();
    }
}
