using System.Diagnostics;
using System.IO.Pipelines;
using Shake.Rdb.Parsing;
using Shake.Rdb.Tests.Fixtures;

namespace Shake.Rdb.Tests.Parsing;

/// <summary>Values bigger than any single read: delivered whole as a sequence slice, in time linear in their size.</summary>
public class StreamingTests
{
    /// <summary>A stream that returns at most <paramref name="max"/> bytes per read, like a slow socket.</summary>
    private sealed class TrickleStream(byte[] data, int max) : Stream
    {
        private int _position;
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, max), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static async Task<RecordingHandler> ParseTrickleAsync(byte[] data, int readSize)
    {
        var reader = PipeReader.Create(new TrickleStream(data, readSize), new StreamPipeReaderOptions(bufferSize: readSize, minimumReadSize: readSize));
        var handler = new RecordingHandler();
        using var parser = new RdbParser<RecordingHandler>(handler);
        Assert.Equal(RdbParseStatus.Completed, await RdbPipeReader.ParseAsync(reader, parser));
        await reader.CompleteAsync();
        return handler;
    }

    [Fact]
    public async Task AMillionElementListArrivingIn4KReadsParsesInLinearTime()
    {
        var b = new RdbBuilder("REDIS", 10).Byte(1).String("big").Length(1_000_000);
        for (int i = 0; i < 1_000_000; i++) b.String("e" + (i % 1000));
        var data = b.StringEntry("after", "x").End();
        var watch = Stopwatch.StartNew();
        var parsed = await ParseTrickleAsync(data, 4096);
        // Re-walking the list on every 4 KB read would take ~2000 walks of up to a million elements.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Equal(2, parsed.Entries.Count);
        Assert.Equal(data.Length - 9 - 1 - 8 - (1 + 6 + 2) - (1 + 4), parsed.Entries[0].Raw.Length);
    }

    [Fact]
    public async Task A32MegabyteStringIsOneRawSliceOfTheInput()
    {
        var value = new byte[32 << 20];
        new Random(3).NextBytes(value);
        var data = new RdbBuilder("REDIS", 10).Byte(0).String("huge").String(value).End();
        var parsed = await ParseTrickleAsync(data, 64 * 1024);
        var raw = Assert.Single(parsed.Entries).Raw;
        Assert.Equal(value.Length + 5, raw.Length); // 32-bit length header + bytes
        Assert.True(raw.AsSpan(5).SequenceEqual(value));
    }
}
