using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>A side that goes away is a fatal error naming it, never a hang.</summary>
public sealed class FailureTests(ITestOutputHelper output)
{
    private static EngineOptions Options(RedisServer source, RedisServer target) => new()
    {
        Source = Redis.Options(source),
        Target = Redis.Options(target),
        Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
        TryDiskless = true,
    };

    [Fact]
    public async Task A_source_that_dies_mid_stream_stops_the_engine_with_an_error_naming_it()
    {
        var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        try
        {
            await using var run = new EngineRun(Options(source, target), new TestLogger(output));
            await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
            source.Kill();
            var error = await Assert.ThrowsAnyAsync<IOException>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains(source.Address, error.Message);
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_target_that_dies_mid_stream_stops_the_engine_with_an_error_naming_it()
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        var target = await RedisServer.StartAsync();
        try
        {
            await using var run = new EngineRun(Options(source, target), new TestLogger(output));
            await run.WaitUntilAsync(s => s.Phase == EnginePhase.Incremental, TimeSpan.FromSeconds(30), "the stream");
            target.Kill();
            await Redis.PipelineAsync(source, Enumerable.Range(0, 100).Select(i => new[] { "SET", $"k{i}", "v" }));
            var error = await Assert.ThrowsAnyAsync<Exception>(() => run.Task.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.IsNotType<TimeoutException>(error);
            Assert.Contains(target.Address, error.Message);
        }
        finally
        {
            await target.DisposeAsync();
        }
    }
}
