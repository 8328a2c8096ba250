using System.Buffers;
using System.Text;
using Shake.Resp.Protocol;

namespace Shake.Resp.Tests;

public class RespReaderTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public static TheoryData<string, string> Frames => new()
    {
        { "+OK\r\n", "OK" },
        { "-ERR unknown command\r\n", "(error) ERR unknown command" },
        { ":0\r\n", "0" },
        { ":-9223372036854775808\r\n", "-9223372036854775808" },
        { ":+42\r\n", "42" },
        { "$5\r\nhello\r\n", "\"hello\"" },
        { "$0\r\n\r\n", "\"\"" },
        { "$-1\r\n", "(nil)" },
        { "$4\r\na\r\nb\r\n", "\"a\r\nb\"" },
        { "*-1\r\n", "(nil)" },
        { "*0\r\n", "[]" },
        { "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n+in\r\n", "[1, \"x\", [in]]" },
        { "_\r\n", "(nil)" },
        { "#t\r\n", "true" },
        { "#f\r\n", "false" },
        { ",3.14\r\n", "3.14" },
        { ",-inf\r\n", "-inf" },
        { "(3492890328409238509324850943850943825024385\r\n", "3492890328409238509324850943850943825024385" },
        { "!21\r\nSYNTAX invalid syntax\r\n", "(error) SYNTAX invalid syntax" },
        { "=15\r\ntxt:Some string\r\n", "\"Some string\"" },
        { "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", "{first: 1, second: 2}" },
        { "~2\r\n+a\r\n+b\r\n", "~[a, b]" },
        { ">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n", ">[message, chan, \"hi\"]" },
        { "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n", "[2039123, 9543892]" },
        { "*2\r\n|1\r\n+ttl\r\n:3\r\n+inner\r\n:7\r\n", "[inner, 7]" },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void CompleteFrameParsesTheSameAtEveryCutAndSegmentation(string frame, string expected)
    {
        var bytes = B(frame);
        Assert.Equal(expected, Parse(new ReadOnlySequence<byte>(bytes)));
        Assert.Equal(expected, Parse(Segments.PerByte(bytes)));
        for (var cut = 0; cut <= bytes.Length; cut++)
            Assert.Equal(expected, Parse(Segments.Split(bytes, cut)));
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void EveryProperPrefixIsIncompleteAndConsumesNothing(string frame, string expected)
    {
        _ = expected;
        var bytes = B(frame);
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            foreach (var sequence in new[] { new ReadOnlySequence<byte>(prefix), Segments.PerByte(prefix) })
            {
                var reader = new SequenceReader<byte>(sequence);
                Assert.False(RespReader.TrySkipValue(ref reader), $"prefix of {length} bytes");
                Assert.Equal(0, reader.Consumed);
                Assert.False(RespReader.TryReadValue(ref reader, out _));
                Assert.False(RespReader.TryReadReply(ref reader, out _));
                Assert.Equal(0, reader.Consumed);
            }
        }
    }

    [Fact]
    public void ResumesAfterMoreBytesArriveLikeAPipe()
    {
        var stream = B("+OK\r\n:12\r\n$3\r\nabc\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n%1\r\n+a\r\n_\r\n");
        var parsed = new List<string>();
        var start = 0;
        // Feed one more byte each time, keeping unconsumed bytes, as a PipeReader would.
        for (var end = 1; end <= stream.Length; end++)
        {
            var reader = new SequenceReader<byte>(Segments.Split(stream[start..end], (end - start) / 2));
            while (RespReader.TryReadValue(ref reader, out var value)) parsed.Add(value.ToString());
            start += (int)reader.Consumed;
        }
        Assert.Equal(["OK", "12", "\"abc\"", "[\"GET\", \"k\"]", "{a: (nil)}"], parsed);
        Assert.Equal(stream.Length, start);
    }

    [Fact]
    public void ReplyExposesHeadAndRawBytesWithoutAttributes()
    {
        var bytes = B("|1\r\n+k\r\n+v\r\n*2\r\n:1\r\n:2\r\n+next\r\n");
        var reader = new SequenceReader<byte>(Segments.PerByte(bytes));
        Assert.True(RespReader.TryReadReply(ref reader, out var reply));
        Assert.Equal(RespKind.Array, reply.Kind);
        Assert.Equal(2, reply.Head.Length);
        Assert.Equal(bytes.Length - "+next\r\n".Length, reply.Raw.Length);
        var value = reply.ToValue();
        Assert.Equal(["k", "v"], value.Attributes!.Select(a => a.AsString()));
        Assert.True(RespReader.TryReadToken(ref reader, out var next));
        Assert.True(next.PayloadEquals("next"u8));
    }

    [Theory]
    [InlineData("-MOVED 3999 127.0.0.1:6381\r\n", RespErrorKind.Moved, 3999, "127.0.0.1:6381")]
    [InlineData("-ASK 12 [::1]:7000\r\n", RespErrorKind.Ask, 12, "[::1]:7000")]
    [InlineData("-BUSYKEY Target key name already exists.\r\n", RespErrorKind.BusyKey, -1, null)]
    [InlineData("-LOADING Redis is loading the dataset in memory\r\n", RespErrorKind.Loading, -1, null)]
    [InlineData("-NOSCRIPT No matching script\r\n", RespErrorKind.NoScript, -1, null)]
    [InlineData("-WRONGTYPE Operation against a key\r\n", RespErrorKind.WrongType, -1, null)]
    [InlineData("-ERR syntax error\r\n", RespErrorKind.Err, -1, null)]
    [InlineData("-ERR\r\n", RespErrorKind.Err, -1, null)]
    [InlineData("-SOMETHINGNEWANDVERYLONG x\r\n", RespErrorKind.Other, -1, null)]
    [InlineData("!12\r\nTRYAGAIN now\r\n", RespErrorKind.TryAgain, -1, null)]
    public void ErrorsAreClassifiedWithRedirectionDetails(string frame, RespErrorKind kind, int slot, string? endpoint)
    {
        var reader = new SequenceReader<byte>(Segments.PerByte(B(frame)));
        Assert.True(RespReader.TryReadReply(ref reader, out var reply));
        Assert.True(reply.IsError);
        Assert.Equal(kind, reply.ErrorKind);
        var error = reply.GetError();
        Assert.Equal(kind, error.Kind);
        Assert.Equal(slot, error.Slot);
        Assert.Equal(endpoint, error.Endpoint);
    }

    [Fact]
    public void NonErrorReplyHasNoErrorKind()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(B("+OK\r\n")));
        Assert.True(RespReader.TryReadReply(ref reader, out var reply));
        Assert.Equal(RespErrorKind.None, reply.ErrorKind);
        Assert.Throws<InvalidOperationException>(() => reply.GetError());
    }

    [Theory]
    [InlineData("?x\r\n", "RESP type prefix", "'?'", 0)]
    [InlineData("+OK\rx", "LF after CR", "'x'", 4)]
    [InlineData(":12a\r\n", "digit of a integer reply", "'a'", 3)]
    [InlineData(":\r\n", "digits of a integer reply", "CRLF", 1)]
    [InlineData(":-\r\n", "after the sign", "CRLF", 2)]
    [InlineData(":99999999999999999999\r\n", "does not fit in 64 bits", "", 1)]
    [InlineData("$3\r\nabcd\r\n", "CR after the bulk payload", "'d'", 7)]
    [InlineData("$3\r\nabc\rX", "LF after the bulk payload", "'X'", 8)]
    [InlineData("$-2\r\n", "bulk length between", "-2", 1)]
    [InlineData("!-1\r\n", "bulk length between", "-1", 1)]
    [InlineData("$?\r\n", "streamed strings", "", 1)]
    [InlineData("*-2\r\n", "element count", "-2", 1)]
    [InlineData("%-1\r\n", "element count", "-1", 1)]
    [InlineData("#x\r\n", "'t' or 'f'", "'x'", 1)]
    [InlineData("_x\r\n", "CRLF right after '_'", "'x'", 1)]
    [InlineData("=5\r\nabcde\r\n", "verbatim", "", 0)]
    [InlineData("*2\r\n:1\r\n\x01\r\n", "RESP type prefix", "0x01", 8)]
    public void MalformedInputNamesWhatWasExpectedWhatWasFoundAndWhere(string frame, string expected, string found, long offset)
    {
        var bytes = B(frame);
        foreach (var sequence in new[] { new ReadOnlySequence<byte>(bytes), Segments.PerByte(bytes) })
        {
            var error = Assert.Throws<RespProtocolException>(() =>
            {
                var reader = new SequenceReader<byte>(sequence);
                RespReader.TrySkipValue(ref reader);
            });
            Assert.Contains(expected, error.Message);
            Assert.Contains(found, error.Message);
            Assert.Equal(offset, error.Offset);
        }
    }

    [Fact]
    public void LineWithoutCrlfBeyondTheLimitIsMalformed()
    {
        var bytes = new byte[RespReader.MaxLineLength + 10];
        bytes.AsSpan().Fill((byte)'a');
        bytes[0] = (byte)'+';
        var error = Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            RespReader.TryReadToken(ref reader, out _);
        });
        Assert.Contains("CRLF within", error.Message);
    }

    [Fact]
    public void CommandsAreReadAsSlicesAndPartialCommandsConsumeNothing()
    {
        var bytes = B("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\n");
        var first = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n".Length;
        var arguments = new List<ReadOnlySequence<byte>>();
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var reader = new SequenceReader<byte>(Segments.Split(bytes, cut));
            Assert.True(RespReader.TryReadCommand(ref reader, arguments));
            Assert.Equal(first, reader.Consumed);
            Assert.Equal(["SET", "key", "va\r\nl"], arguments.Select(a => Encoding.UTF8.GetString(a)));
            Assert.True(RespReader.TryReadCommand(ref reader, arguments));
            Assert.Equal(["PING"], arguments.Select(a => Encoding.UTF8.GetString(a)));
            Assert.False(RespReader.TryReadCommand(ref reader, arguments));
        }
        for (var length = 0; length < first; length++)
        {
            var reader = new SequenceReader<byte>(Segments.PerByte(bytes[..length]));
            Assert.False(RespReader.TryReadCommand(ref reader, arguments));
            Assert.Equal(0, reader.Consumed);
            Assert.Empty(arguments);
        }
    }

    [Theory]
    [InlineData("+PING\r\n", "a command (a non-empty array")]
    [InlineData("*0\r\n", "a command (a non-empty array")]
    [InlineData("*2\r\n$3\r\nGET\r\n:1\r\n", "bulk string as command argument 1")]
    public void NonCommandsAreRejectedByTheCommandReader(string frame, string expected)
    {
        var error = Assert.Throws<RespProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(B(frame)));
            RespReader.TryReadCommand(ref reader, []);
        });
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void TokensExposeScalarsWithoutMaterializing()
    {
        var reader = new SequenceReader<byte>(Segments.PerByte(B(":-17\r\n$2\r\n42\r\n#t\r\n*2\r\n$-1\r\n_\r\n")));
        Assert.True(RespReader.TryReadToken(ref reader, out var integer));
        Assert.Equal(-17, integer.Integer);
        Assert.True(RespReader.TryReadToken(ref reader, out var bulk));
        Assert.True(bulk.TryGetInt64(out var parsed));
        Assert.Equal(42, parsed);
        Assert.True(RespReader.TryReadToken(ref reader, out var boolean));
        Assert.Equal(1, boolean.Integer);
        Assert.Equal("true", boolean.GetString());
        Assert.Equal("-17", integer.GetString());
        Assert.True(RespReader.TryReadToken(ref reader, out var array));
        Assert.Equal(2, array.ChildCount);
        Assert.True(RespReader.TryReadToken(ref reader, out var nullBulk));
        Assert.True(nullBulk.IsNull);
        Assert.True(RespReader.TryReadToken(ref reader, out var resp3Null));
        Assert.True(resp3Null.IsNull);
        Assert.False(RespReader.TryReadToken(ref reader, out _));
    }

    private static string Parse(ReadOnlySequence<byte> sequence)
    {
        var skip = new SequenceReader<byte>(sequence);
        Assert.True(RespReader.TrySkipValue(ref skip));
        Assert.Equal(sequence.Length, skip.Consumed);
        var reader = new SequenceReader<byte>(sequence);
        Assert.True(RespReader.TryReadValue(ref reader, out var value));
        Assert.Equal(sequence.Length, reader.Consumed);
        return value.ToString();
    }
}
