using Shake.Rdb.Parsing;
using Shake.Rdb.Tests.Fixtures;

namespace Shake.Rdb.Tests.Parsing;

/// <summary>ParseFileAsync reads a file in place through SynchronousStream, across many reads.</summary>
public class FileParsingTests
{
    [Fact]
    public async Task AFileBiggerThanOneReadParsesEveryKey()
    {
        var b = new RdbBuilder("REDIS", 10);
        for (int i = 0; i < 20_000; i++) b.StringEntry("key:" + i, new string('v', 40));
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, b.End());
            var handler = new RecordingHandler();
            using var parser = new RdbParser<RecordingHandler>(handler);
            Assert.Equal(RdbParseStatus.Completed, await RdbPipeReader.ParseFileAsync(path, parser));
            Assert.Equal(20_000, handler.Entries.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AsyncCallsCompleteOnTheCallersThread()
    {
        var inner = new MemoryStream();
        using var stream = new SynchronousStream(inner);
        Assert.True(stream.WriteAsync("abc"u8.ToArray()).IsCompletedSuccessfully);
        Assert.True(stream.FlushAsync().IsCompletedSuccessfully);
        stream.Position = 0;
        var buffer = new byte[8];
        var read = stream.ReadAsync(buffer.AsMemory());
        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal(3, read.Result);
        Assert.True(stream.ReadAsync(buffer.AsMemory(), new CancellationToken(true)).IsCanceled);
    }
}
