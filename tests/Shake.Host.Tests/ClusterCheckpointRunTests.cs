using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>A cluster-to-cluster sync killed with SIGKILL continues every shard from the checkpoints in the target cluster.</summary>
[Collection("cluster pair")]
public class ClusterCheckpointRunTests(ClusterPairFixture clusters) : IAsyncLifetime
{
    public Task InitializeAsync() => clusters.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Config(string source, string target, string dir) => $"""
        [sync_reader]
        cluster = true
        address = "{source}"
        [redis_writer]
        cluster = true
        address = "{target}"
        [advanced]
        dir = "{dir}"
        log_interval = 1
        rdb_restore_command_behavior = "rewrite"
        """;

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    private static async Task LoadAsync(ClusterTestClient client, int from, CancellationToken stop)
    {
        for (var i = from; !stop.IsCancellationRequested; i++)
        {
            (await client.ExecuteAsync("SET", $"k:{i % 500}", i.ToString())).ThrowIfError();
            (await client.ExecuteAsync("INCR", $"c:{i % 50}")).ThrowIfError();
        }
    }

    [Fact]
    public async Task KillNineDuringTheStreamThenRestartContinuesEveryShardAndNothingIsLost()
    {
        using var first = new TempDir();
        using var second = new TempDir();
        await using var source = await ClusterTestClient.ConnectAsync(clusters.A);
        await using var target = await ClusterTestClient.ConnectAsync(clusters.B);
        for (var i = 0; i < 200; i++) await source.ExecuteAsync("SET", $"pre:{i}", "v");
        await using (var shake = ShakeProcess.Start(first.Write("sync.toml", Config(clusters.A.SeedAddress, clusters.B.SeedAddress, first.Path))))
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (Count(shake.AllText, "full sync done") < 3)
            {
                Assert.True(DateTime.UtcNow < deadline && !shake.HasExited, shake.AllText);
                await Task.Delay(100);
            }
            using var stop = new CancellationTokenSource();
            var load = LoadAsync(source, 0, stop.Token);
            await Task.Delay(1500);
            shake.Kill();
            stop.Cancel();
            await load;
        }
        await using (var shake = ShakeProcess.Start(second.Write("sync.toml", Config(clusters.A.SeedAddress, clusters.B.SeedAddress, second.Path))))
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (Count(shake.AllText, "answered PSYNC:") < 3)
            {
                Assert.True(DateTime.UtcNow < deadline && !shake.HasExited, shake.AllText);
                await Task.Delay(100);
            }
            Assert.Equal(3, Count(shake.AllText, "answered PSYNC: CONTINUE"));
            Assert.Equal(3, Count(shake.AllText, "resuming from the checkpoint shake-checkpoint:shard-"));
            using var stop = new CancellationTokenSource();
            var load = LoadAsync(source, 100_000, stop.Token);
            await Task.Delay(1000);
            stop.Cancel();
            await load;
            // Nothing is lost: every value arrives; counters may be larger by what was applied twice (at-least-once).
            var until = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var lagging = new List<string>();
                for (var i = 0; i < 500; i++)
                {
                    var key = $"k:{i}";
                    var a = (await source.ExecuteAsync("GET", key)).AsString();
                    if (a != (await target.ExecuteAsync("GET", key)).AsString()) lagging.Add(key);
                }
                for (var i = 0; i < 50; i++)
                {
                    var key = $"c:{i}";
                    var a = long.Parse((await source.ExecuteAsync("GET", key)).AsString() ?? "0");
                    var b = long.Parse((await target.ExecuteAsync("GET", key)).AsString() ?? "0");
                    if (b < a) lagging.Add($"{key} {b} < {a}");
                }
                if (lagging.Count == 0) break;
                Assert.True(DateTime.UtcNow < until, $"{lagging.Count} keys behind: {string.Join(", ", lagging.Take(5))}\n{shake.AllText}");
                await Task.Delay(200);
            }
            await shake.TerminateAsync(TimeSpan.FromSeconds(30));
        }
    }
}
