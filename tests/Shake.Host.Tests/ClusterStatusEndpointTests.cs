using System.Text.Json;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>The status endpoint of a process following a whole cluster source: one entry per shard.</summary>
[Collection("cluster pair")]
public sealed class ClusterStatusEndpointTests(ClusterPairFixture clusters) : IAsyncLifetime
{
    public Task InitializeAsync() => clusters.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_cluster_source_shows_one_engine_per_shard_in_the_document_and_the_metrics()
    {
        var source = clusters.A;
        var target = clusters.B;
        await using (var writer = await ClusterTestClient.ConnectAsync(source))
        {
            for (var i = 0; i < 300; i++) await writer.ExecuteAsync("SET", $"before:{i}", "v");
        }
        using var dir = new TempDir();
        var port = FreePort.Next();
        var config = dir.Write("sync.toml", $"""
            [sync_reader]
            cluster = true
            address = "{source.SeedAddress}"
            [redis_writer]
            cluster = true
            address = "{target.SeedAddress}"
            [advanced]
            dir = "{dir.Path}"
            status_port = {port}
            rdb_restore_command_behavior = "rewrite"
            """);
        await using var shake = InProcessShake.Start(config);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

        var masters = (await source.MastersAsync()).Select(m => m.Address).OrderBy(a => a, StringComparer.Ordinal).ToList();
        using var document = await StatusHttp.WaitForAsync(http, d =>
        {
            var engines = d.RootElement.GetProperty("engines").EnumerateArray().ToList();
            return engines.Count == 3 && engines.All(e => e.GetProperty("phase").GetString() == "incremental");
        }, TimeSpan.FromSeconds(90), shake);
        var list = document.RootElement.GetProperty("engines").EnumerateArray().ToList();
        Assert.Equal(masters, list.Select(e => e.GetProperty("source").GetString()!).OrderBy(a => a, StringComparer.Ordinal));
        var shards = list.Select(e => e.GetProperty("shard").GetInt32()).ToList();
        Assert.Equal(0, shards[0]);
        Assert.Equal(shards.OrderBy(s => s), shards);
        Assert.Equal(3, shards.Distinct().Count());
        Assert.Equal(300, list.Sum(e => e.GetProperty("keys").GetProperty("applied").GetInt64()));
        Assert.All(list, e => Assert.Equal(3, e.GetProperty("target_nodes").GetArrayLength()));

        var metrics = StatusHttp.ParsePrometheus(await http.GetStringAsync("/metrics"));
        var applied = metrics.Where(m => m.Key.StartsWith("shake_offset_applied{", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, applied.Count);
        Assert.All(shards, s => Assert.Contains(applied, m => m.Key.Contains($"shard=\"{s}\"", StringComparison.Ordinal)));
        Assert.Equal(3, metrics["shake_engines"]);
        Assert.Equal(0, await shake.StopAsync());
    }
}
