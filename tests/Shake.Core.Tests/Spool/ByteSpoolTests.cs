using System.Buffers;
using System.IO.Pipelines;
using Shake.Core.Spool;

namespace Shake.Core.Tests.Spool;

public sealed class ByteSpoolTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "shake-spool-test", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader, int delayEveryBytes = 0)
    {
        var output = new MemoryStream();
        long sinceDelay = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer) output.Write(segment.Span);
            sinceDelay += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
            if (delayEveryBytes > 0 && sinceDelay >= delayEveryBytes)
            {
                sinceDelay = 0;
                await Task.Delay(1);
            }
        }
        await reader.CompleteAsync();
        return output.ToArray();
    }

    [Fact]
    public async Task A_fast_consumer_gets_everything_in_order_without_touching_disk()
    {
        await using var spool = new ByteSpool(new SpoolOptions(_dir, MemoryLimitBytes: 8 << 20));
        var data = Pattern(3_000_000, 1);
        var reading = ReadAllAsync(spool.Reader);
        for (var i = 0; i < data.Length; i += 1000) spool.Write(data.AsMemory(i, Math.Min(1000, data.Length - i)));
        spool.Complete();
        Assert.Equal(data, await reading);
        Assert.Equal(0, spool.TotalDiskBytes);
    }

    [Theory]
    [InlineData(SpoolCompression.None)]
    [InlineData(SpoolCompression.Lz4)]
    public async Task A_slow_consumer_makes_the_excess_go_to_rolling_files_and_still_reads_every_byte_in_order(SpoolCompression compression)
    {
        var options = new SpoolOptions(_dir, MemoryLimitBytes: 100_000, FileSizeBytes: 300_000, ReaderBufferBytes: 64 * 1024, Compression: compression);
        await using var spool = new ByteSpool(options);
        var data = Pattern(5_000_000, 2);
        // Write everything before reading: the producer never waits for the consumer.
        for (var i = 0; i < data.Length; i += 7777) spool.Write(data.AsMemory(i, Math.Min(7777, data.Length - i)));
        Assert.True(spool.DiskBytes > 4_000_000, $"expected most data on disk, got {spool.DiskBytes}");
        Assert.True(spool.MemoryBytes <= 100_000);
        Assert.True(Directory.GetFiles(_dir, "spool-*.bin").Length > 10);
        var reading = ReadAllAsync(spool.Reader, delayEveryBytes: 200_000);
        // Keep writing while the consumer drains: new data must queue behind the disk data.
        var more = Pattern(1_000_000, 3);
        for (var i = 0; i < more.Length; i += 5000) spool.Write(more.AsMemory(i, 5000));
        spool.Complete();
        var expected = data.Concat(more).ToArray();
        Assert.Equal(expected, await reading);
        Assert.Equal(0, spool.DiskBytes);
        Assert.True(Directory.GetFiles(_dir, "spool-*.bin").Length <= 1, "consumed files are deleted");
    }

    [Theory]
    [InlineData(SpoolCompression.None)]
    [InlineData(SpoolCompression.Lz4)]
    public async Task Memory_is_used_again_once_the_consumer_has_caught_up_with_the_disk(SpoolCompression compression)
    {
        await using var spool = new ByteSpool(new SpoolOptions(_dir, MemoryLimitBytes: 10_000, ReaderBufferBytes: 8192, Compression: compression));
        var first = Pattern(100_000, 4);
        spool.Write(first);
        var spilled = spool.TotalDiskBytes;
        Assert.Equal(100_000, spilled);
        var buffer = new List<byte>();
        while (buffer.Count < first.Length)
        {
            var r = await spool.Reader.ReadAsync();
            buffer.AddRange(r.Buffer.ToArray());
            spool.Reader.AdvanceTo(r.Buffer.End);
        }
        Assert.Equal(first, buffer.ToArray());
        // Let the feeder notice it caught up.
        for (var i = 0; i < 100 && spool.DiskBytes > 0; i++) await Task.Delay(10);
        await Task.Delay(50);
        spool.Write(Pattern(5000, 5));
        Assert.Equal(spilled, spool.TotalDiskBytes);
    }

    [Theory]
    [InlineData(SpoolCompression.None)]
    [InlineData(SpoolCompression.Lz4)]
    public async Task Passing_the_disk_limit_is_a_clear_error(SpoolCompression compression)
    {
        await using var spool = new ByteSpool(new SpoolOptions(_dir, MemoryLimitBytes: 1000, DiskLimitBytes: 50_000, ReaderBufferBytes: 1024, Compression: compression));
        var chunk = Pattern(10_000, 6);
        var error = await Assert.ThrowsAsync<SpoolFullException>(async () =>
        {
            for (var i = 0; i < 100; i++) spool.Write(chunk);
        });
        Assert.Contains(_dir, error.Message);
        Assert.Contains("50000", error.Message);
    }

    [Fact]
    public async Task Completing_with_an_error_reaches_the_reader()
    {
        await using var spool = new ByteSpool(new SpoolOptions(_dir));
        spool.Write(Pattern(10, 7));
        spool.Complete(new IOException("source dropped"));
        var e = await Assert.ThrowsAsync<IOException>(async () =>
        {
            while (true)
            {
                var r = await spool.Reader.ReadAsync();
                spool.Reader.AdvanceTo(r.Buffer.End);
                if (r.IsCompleted) break;
            }
        });
        Assert.Equal("source dropped", e.Message);
    }

    [Fact]
    public async Task Dispose_removes_the_spool_files()
    {
        var spool = new ByteSpool(new SpoolOptions(_dir, MemoryLimitBytes: 0));
        spool.Write(Pattern(50_000, 8));
        Assert.NotEmpty(Directory.GetFiles(_dir));
        await spool.DisposeAsync();
        Assert.False(Directory.Exists(_dir) && Directory.GetFiles(_dir).Length > 0);
    }
}
