using System.Buffers;
using Shake.Rdb.Parsing;
using Shake.Rdb.Tests.Fixtures;

namespace Shake.Rdb.Tests.Parsing;

public class BadInputTests
{
    private static byte[] SmallFile() => new RdbBuilder("REDIS", 10)
        .Aux("redis-ver", "7.0.15").SelectDb(0).Byte(251).Length(2).Length(0)
        .StringEntry("key", "value")
        .Byte(252).Int64(4102444800000).Byte(1).String("list").Length(2).String("a").String("b")
        .End();

    [Fact]
    public void EveryTruncationIsAnErrorNamingTheOffset()
    {
        var full = SmallFile();
        for (int length = 0; length < full.Length; length++)
        {
            var cut = full[..length];
            var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.ParseWhole(cut));
            Assert.InRange(ex.Offset, 0, length);
            var chunked = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(cut, chunk: 3));
            Assert.Equal(ex.Offset, chunked.Offset);
        }
    }

    [Fact]
    public void EmptyInputIsAnError()
    {
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse([]));
        Assert.Equal(0, ex.Offset);
        Assert.Contains("header", ex.Message);
    }

    [Fact]
    public void BadChecksumIsAnError()
    {
        var file = SmallFile();
        file[^1] ^= 0x55;
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(file));
        Assert.Contains("checksum", ex.Message);
        Assert.Equal(file.Length - 8, ex.Offset);
        // A flipped content byte is caught by the checksum too.
        var flipped = SmallFile();
        flipped[Array.IndexOf(flipped, (byte)'v')] = (byte)'w';
        Assert.Contains("checksum", Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(flipped)).Message);
        // ...unless checking is off.
        Assert.True(RdbFiles.Parse(flipped, new RdbParserOptions { VerifyChecksum = false }).Ended);
    }

    [Fact]
    public void AbsurdLengthsAreRefusedAtOnceWithoutAllocating()
    {
        var huge = new RdbBuilder("REDIS", 10).Byte(0).String("k").Length(1UL << 60).Raw(1, 2, 3).Unfinished();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.ParseWhole(huge));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("exceeds the limit", ex.Message);
        Assert.Equal(9 + 1 + 2, ex.Offset);

        // Below the cap, a length the input cannot satisfy is a truncation at the end of the input.
        var big = new RdbBuilder("REDIS", 10).Byte(0).String("k").Length(3_000_000_000).Raw(1, 2, 3).Unfinished();
        Assert.Contains("truncated", Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(big)).Message);

        // A collection count of 2^60 runs out of bytes, it never allocates per claimed element.
        var list = new RdbBuilder("REDIS", 10).Byte(1).String("k").Length(1UL << 60).String("a").End();
        Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(list));

        // An LZF header claiming a plain length LZF cannot produce.
        var lzf = new RdbBuilder("REDIS", 10).Byte(0).Raw(0xC3).Length(3).Length(1_000_000_000).Raw(1, 2, 3).String("v").End();
        Assert.Contains("LZF", Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(lzf)).Message);
    }

    [Fact]
    public void UnknownOpcodeLikeBytesAndLengthEncodingsAreNamed()
    {
        var badLength = new RdbBuilder("REDIS", 10).Byte(0).Raw(0x82).End();
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(badLength));
        Assert.Contains("length encoding", ex.Message);
        Assert.Equal(10, ex.Offset);

        var badStringEncoding = new RdbBuilder("REDIS", 10).Byte(0).Raw(0xC5).End();
        Assert.Contains("string encoding 5", Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(badStringEncoding)).Message);
    }

    [Fact]
    public void CorruptCompactEncodingsPassTheRawPathButNotValidation()
    {
        var file = new RdbBuilder("REDIS", 10).Byte(16).String("h").String("not a listpack").StringEntry("k", "v").End();
        Assert.Equal(2, RdbFiles.Parse(file).Entries.Count);
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(file, new RdbParserOptions { ValidateValues = true }));
        Assert.Contains("\"h\"", ex.Message);
        Assert.Contains("listpack", ex.Message);
        Assert.InRange(ex.Offset, 9 + 1 + 2, file.Length);
    }

    [Fact]
    public void HandlerCanStopEarly()
    {
        var handler = new RecordingHandler { StopAfter = 1 };
        using var parser = new RdbParser<RecordingHandler>(handler);
        var file = SmallFile();
        var status = parser.Parse(new ReadOnlySequence<byte>(file), true, out var consumed, out _);
        Assert.Equal(RdbParseStatus.Stopped, status);
        Assert.Single(handler.Entries);
        Assert.True(parser.BytesConsumed < file.Length);
    }
}
