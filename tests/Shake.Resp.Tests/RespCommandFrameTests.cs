using System.Buffers;
using System.Text;
using Shake.Resp.Protocol;

namespace Shake.Resp.Tests;

public class RespCommandFrameTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Finds_the_command_its_name_and_first_argument()
    {
        var input = B("*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$2\r\nv1\r\n*1\r\n$4\r\nPING\r\n");
        Assert.True(RespCommandFrame.TryScan(input, out var frame));
        Assert.Equal(32, frame.Length);
        Assert.Equal(3, frame.ArgumentCount);
        Assert.Equal("SET", Encoding.UTF8.GetString(frame.Name(input)));
        Assert.Equal("key:1", Encoding.UTF8.GetString(frame.FirstArgument(input)));

        Assert.True(RespCommandFrame.TryScan(input.AsSpan(frame.Length), out var ping));
        Assert.Equal(14, ping.Length);
        Assert.Equal(1, ping.ArgumentCount);
        Assert.Equal(-1, ping.FirstArgumentLength);
        Assert.True(ping.FirstArgument(input.AsSpan(frame.Length)).IsEmpty);
    }

    [Fact]
    public void Binary_payloads_with_CRLF_inside_are_skipped_by_length()
    {
        var input = B("*2\r\n$3\r\nDEL\r\n$4\r\na\r\nb\r\n");
        Assert.True(RespCommandFrame.TryScan(input, out var frame));
        Assert.Equal(input.Length, frame.Length);
        Assert.Equal("a\r\nb", Encoding.UTF8.GetString(frame.FirstArgument(input)));
    }

    [Fact]
    public void Every_incomplete_prefix_is_left_to_the_sequence_reader()
    {
        var input = B("*3\r\n$3\r\nSET\r\n$10\r\nkey:123456\r\n$0\r\n\r\n");
        for (var n = 0; n < input.Length; n++)
            Assert.False(RespCommandFrame.TryScan(input.AsSpan(0, n), out _), $"prefix of {n} bytes");
        Assert.True(RespCommandFrame.TryScan(input, out var frame));
        Assert.Equal(input.Length, frame.Length);
    }

    [Theory]
    [InlineData("+OK\r\n")]
    [InlineData("*0\r\n\r\n")]
    [InlineData("*-1\r\n\r\n")]
    [InlineData("*1\r\n:1\r\n")]
    [InlineData("*1\r\n$-1\r\n")]
    [InlineData("*1\r\n$3\r\nSETX\r\n")]
    [InlineData("*1\r\n$3\nSET\r\n")]
    [InlineData("*1\r\n$1234567890\r\nx\r\n")]
    [InlineData("*1x\r\n$3\r\nSET\r\n")]
    [InlineData("*\r\n$3\r\nSET\r\n")]
    public void Anything_unusual_is_left_to_the_sequence_reader(string text)
    {
        Assert.False(RespCommandFrame.TryScan(B(text), out _));
    }

    [Fact]
    public void Agrees_with_the_sequence_reader_on_random_commands()
    {
        var random = new Random(7);
        var arguments = new List<ReadOnlySequence<byte>>();
        for (var round = 0; round < 500; round++)
        {
            var count = random.Next(1, 6);
            var parts = Enumerable.Range(0, count).Select(_ =>
            {
                var bytes = new byte[random.Next(0, random.Next(2) == 0 ? 20 : 3000)];
                random.NextBytes(bytes);
                return bytes;
            }).ToArray();
            var encoded = new ArrayBufferWriter<byte>();
            RespCommandWriter.WriteCommand(encoded, parts.Select(p => (ReadOnlyMemory<byte>)p).ToArray());
            var input = encoded.WrittenSpan.ToArray();

            Assert.True(RespCommandFrame.TryScan(input, out var frame));
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input));
            Assert.True(RespReader.TryReadCommand(ref reader, arguments));
            Assert.Equal(reader.Consumed, frame.Length);
            Assert.Equal(arguments.Count, frame.ArgumentCount);
            Assert.Equal(arguments[0].ToArray(), frame.Name(input).ToArray());
            Assert.Equal(count > 1 ? arguments[1].ToArray() : [], frame.FirstArgument(input).ToArray());
        }
    }
}
