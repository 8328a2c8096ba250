using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

public sealed class RestoreModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_rdb_file_is_restored_with_ttls_functions_and_expired_keys_skipped()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        // Keep expired keys in the dataset so SAVE writes them: they must be skipped and counted.
        await Redis.CallAsync(source, "DEBUG", "SET-ACTIVE-EXPIRE", "0");
        await Redis.PipelineAsync(source, Enumerable.Range(0, 2000).Select(i => new[] { "SET", $"k{i}", $"v{i}" }));
        await Redis.PipelineAsync(source, Enumerable.Range(0, 5).Select(i => new[] { "SET", $"gone{i}", "x", "PX", "1" }));
        await Redis.PipelineAsync(source, [["SET", "ttl", "x", "EX", "1000"], ["HSET", "h", "f", "v"], ["SADD", "s", "1", "2"], ["ZADD", "z", "1.5", "m"], ["XADD", "st", "1-1", "f", "v"]], db: 3);
        await Redis.CallAsync(source, "FUNCTION", "LOAD", "#!lua name=shakelib\nredis.register_function('shakef', function(keys, args) return 1 end)");
        await Task.Delay(20);
        (await Redis.CallAsync(source, "SAVE")).ThrowIfError();
        var file = Path.Combine(source.Directory, "dump.rdb");
        var options = new EngineOptions { Mode = EngineMode.Restore, RdbFilePath = file, Target = Redis.Options(target), Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")) };
        var summary = await new SyncEngine(options, new TestLogger(output)).RunAsync(CancellationToken.None);
        output.WriteLine(summary.ToString());
        Assert.Equal(2005, summary.Final.KeysApplied);
        Assert.Equal(5, summary.Final.KeysSkippedExpired);
        Assert.Equal(1, summary.Final.FunctionsLoaded);
        Assert.Equal(new FileInfo(file).Length, summary.Final.RdbBytesReceived);
        Assert.Equal(2000, await Redis.DbSizeAsync(target, 0));
        Assert.Equal(5, await Redis.DbSizeAsync(target, 3));
        await using var c = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(target, 3));
        var ttl = (await c.ExecuteAsync("TTL", "ttl")).AsInt64();
        Assert.InRange(ttl, 990, 1000);
        Assert.Equal("stream", (await c.ExecuteAsync("TYPE", "st")).AsString());
        Assert.Equal(1, (await c.ExecuteAsync("FCALL", "shakef", "0")).AsInt64());
    }

    [Fact]
    public async Task A_file_that_is_not_an_rdb_is_a_clear_error()
    {
        await using var target = await RedisServer.StartAsync();
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "this is not an RDB file");
        try
        {
            var options = new EngineOptions { Mode = EngineMode.Restore, RdbFilePath = file, Target = Redis.Options(target), Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")) };
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => new SyncEngine(options, new TestLogger(output)).RunAsync(CancellationToken.None));
            Assert.Contains(file, error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
