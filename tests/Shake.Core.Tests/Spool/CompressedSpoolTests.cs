using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Shake.Core.Spool;

namespace Shake.Core.Tests.Spool;

/// <summary>The spool with LZ4-compressed overflow files: order, file rollover, limits and the disk it saves.</summary>
public sealed class CompressedSpoolTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "shake-spool-test", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    /// <summary>A replication stream: SETs with 100-byte text values, a random block (an incompressible RDB value) every so often.</summary>
    private static byte[] Stream(int commands, int seed)
    {
        var random = new Random(seed);
        var output = new MemoryStream();
        const string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var value = new char[100];
        for (var i = 0; i < commands; i++)
        {
            for (var j = 0; j < value.Length; j++) value[j] = letters[random.Next(letters.Length)];
            var key = $"key:{random.Next(1_000_000):D8}";
            output.Write(Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n$100\r\n{new string(value)}\r\n"));
            if (i % 5000 == 4999)
            {
                var blob = new byte[70_000];
                random.NextBytes(blob);
                output.Write(blob);
            }
        }
        return output.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var output = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer) output.Write(segment.Span);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        await reader.CompleteAsync();
        return output.ToArray();
    }

    /// <summary>Splits data into a multi-segment sequence of uneven buffers, as a socket pipe hands them over.</summary>
    private static ReadOnlySequence<byte> Segmented(ReadOnlyMemory<byte> data, int seed)
    {
        var random = new Random(seed);
        Segment? first = null, last = null;
        while (!data.IsEmpty)
        {
            var take = Math.Min(data.Length, random.Next(1, 40_000));
            var next = new Segment(data[..take], last);
            first ??= next;
            last = next;
            data = data[take..];
        }
        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is null) return;
            RunningIndex = previous.RunningIndex + previous.Memory.Length;
            previous.Next = this;
        }
    }

    [Fact]
    public async Task Every_byte_comes_back_in_order_across_file_rollovers_and_the_files_take_less_disk()
    {
        var options = new SpoolOptions(_dir, MemoryLimitBytes: 100_000, FileSizeBytes: 256 * 1024, ReaderBufferBytes: 64 * 1024, Compression: SpoolCompression.Lz4);
        await using var spool = new ByteSpool(options);
        var data = Stream(60_000, 1);
        // Uneven multi-buffer writes, all before reading: the producer never waits for the consumer.
        for (var i = 0; i < data.Length; i += 100_000)
        {
            var length = Math.Min(100_000, data.Length - i);
            spool.Write(Segmented(data.AsMemory(i, length), i));
        }
        Assert.True(spool.DiskBytes > data.Length - 200_000, $"expected most data on disk, got {spool.DiskBytes}");
        Assert.True(Directory.GetFiles(_dir, "spool-*.bin").Length > 10, "several files, so reading crosses rollovers");
        var onDisk = Directory.GetFiles(_dir, "spool-*.bin").Sum(f => new FileInfo(f).Length);
        Assert.Equal(spool.DiskFileBytes, onDisk);
        Assert.True(spool.DiskFileBytes < spool.DiskBytes * 0.9, $"{spool.DiskFileBytes} file bytes for {spool.DiskBytes} bytes");

        var reading = ReadAllAsync(spool.Reader);
        var more = Stream(5_000, 2);
        for (var i = 0; i < more.Length; i += 3000) spool.Write(more.AsMemory(i, Math.Min(3000, more.Length - i)));
        spool.Complete();
        Assert.Equal(data.Concat(more).ToArray(), await reading);
        Assert.Equal(0, spool.DiskBytes);
        Assert.Equal(0, spool.DiskFileBytes);
        Assert.True(spool.TotalDiskFileBytes < spool.TotalDiskBytes);
        Assert.True(Directory.GetFiles(_dir, "spool-*.bin").Length <= 1, "consumed files are deleted");
    }

    [Fact]
    public async Task The_disk_limit_counts_the_compressed_bytes_in_the_files()
    {
        // About 2.7 MB of random-text SETs and random blobs: LZ4 brings it to about 83%, under a limit of 90%.
        var data = Stream(20_000, 3);
        long limit = data.Length * 9 / 10;
        // A reader buffer of 1 KB keeps the feeder from draining the files while the test writes.

        await using (var plain = new ByteSpool(new SpoolOptions(Path.Combine(_dir, "plain"), MemoryLimitBytes: 0, DiskLimitBytes: limit, ReaderBufferBytes: 1024, Compression: SpoolCompression.None)))
        {
            Assert.Throws<SpoolFullException>(() =>
            {
                for (var i = 0; i < data.Length; i += 10_000) plain.Write(data.AsMemory(i, Math.Min(10_000, data.Length - i)));
            });
        }

        await using var compressed = new ByteSpool(new SpoolOptions(Path.Combine(_dir, "lz4"), MemoryLimitBytes: 0, DiskLimitBytes: limit, ReaderBufferBytes: 1024, Compression: SpoolCompression.Lz4));
        for (var i = 0; i < data.Length; i += 10_000) compressed.Write(data.AsMemory(i, Math.Min(10_000, data.Length - i)));
        Assert.True(compressed.DiskFileBytes <= limit);
        var reading = ReadAllAsync(compressed.Reader);
        compressed.Complete();
        Assert.Equal(data, await reading);
    }

    [Fact]
    public async Task A_corrupt_block_fails_the_reader_instead_of_handing_out_wrong_bytes()
    {
        // One block per file, and a reader buffer that stops the feeder after the first block.
        var spool = new ByteSpool(new SpoolOptions(_dir, MemoryLimitBytes: 0, FileSizeBytes: 1, ReaderBufferBytes: 1024, Compression: SpoolCompression.Lz4));
        await using (spool)
        {
            var data = Stream(2_000, 4);
            spool.Write(data);
            // Damage the header of the last block, which the feeder has not read yet.
            var file = Directory.GetFiles(_dir, "spool-*.bin").Order().Last();
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                stream.Write([0xFF, 0xFF, 0xFF, 0x7F]);
            spool.Complete();
            await Assert.ThrowsAsync<IOException>(() => ReadAllAsync(spool.Reader));
        }
    }
}
