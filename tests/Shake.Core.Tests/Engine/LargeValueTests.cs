using Shake.Core.Engine;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

public sealed class LargeValueTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Values_larger_than_the_spool_read_buffer_go_through(bool diskless)
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync", diskless ? "yes" : "no", "--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        // 24 MB in one string (random bytes, so LZF cannot shrink it), far above the 4 MB read buffer of the spool.
        var value = new byte[24 * 1024 * 1024];
        new Random(5).NextBytes(value);
        await using (var c = await Shake.Resp.Connections.RedisConnection.ConnectAsync(Redis.Options(source)))
            (await c.ExecuteAsync([(ReadOnlyMemory<byte>)"SET"u8.ToArray(), "huge"u8.ToArray(), value])).ThrowIfError();
        await source.CliAsync("DEBUG", "POPULATE", "10", "small", "10");
        // And a hash of about 20 MB (hashtable encoding: its value is one RDB item).
        var field = new string('f', 90);
        await Redis.PipelineAsync(source, Enumerable.Range(0, 200).Select(b => new[] { "HSET", "bighash" }.Concat(Enumerable.Range(0, 1000).SelectMany(i => new[] { $"{b}:{i}:{field}", $"{i}" })).ToArray()));
        var options = new EngineOptions
        {
            Source = Redis.Options(source),
            Target = Redis.Options(target),
            Directory = Path.Combine(Path.GetTempPath(), "shake-engine-test", Guid.NewGuid().ToString("N")),
            TryDiskless = true,
            SyncAof = false,
        };
        var summary = await new SyncEngine(options, new TestLogger(output)).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(12, summary.Final.KeysApplied);
        Assert.Equal(24L * 1024 * 1024, (await Redis.CallAsync(target, "STRLEN", "huge")).AsInt64());
        await DataAssert.EqualAsync(source, target);
    }
}
