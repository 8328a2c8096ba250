using System.Globalization;
using Shake.Core.Cluster;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Tests.Engine;
using Shake.Resp.Connections;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Cluster;

/// <summary><c>target_wait_replicas</c> with a cluster target: a WAIT per master, the ACK follows once every master's replica has the writes.</summary>
[Collection("cluster pair")]
public sealed class ClusterTargetWaitTests(ClusterPairFixture clusters, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("shake-cluster-wait-").FullName;

    public Task InitializeAsync() => clusters.ResetAsync();

    public Task DisposeAsync()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TheAcknowledgedOffsetFollowsOnceEveryMastersReplicaHoldsTheWrites()
    {
        var logger = new TestLogger(output);
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await ClusterTarget.ConnectAsync(new RedisConnectionOptions { Address = clusters.B.SeedAddress }, new ClusterTargetOptions(), logger, CancellationToken.None);
        await using var engine = new EngineRun(new EngineOptions
        {
            Source = Redis.Options(source),
            Target = new RedisConnectionOptions { Address = "unused:1" },
            TargetFactory = target,
            Directory = _dir,
            RestoreBehavior = RestoreBehavior.Rewrite,
            AckInterval = TimeSpan.FromMilliseconds(100),
            TargetWaitReplicas = 1,
        }, logger);
        await engine.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
        await Redis.PipelineAsync(source, Enumerable.Range(0, 3000).Select(i => new[] { "SET", $"k{i.ToString(CultureInfo.InvariantCulture)}", "v" }));
        var offset = Redis.Info(source, "replication", "master_repl_offset");
        await engine.WaitUntilAsync(s => s.ReplicatedOffset >= offset, TimeSpan.FromSeconds(30), "the target's replicas holding the writes");
        await engine.StopAsync();
        Assert.True(File.Exists(Path.Combine(_dir, ResumePoint.FileName)));
    }
}
