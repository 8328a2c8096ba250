using System.Buffers;
using System.Text;
using Shake.Resp.Protocol;

namespace Shake.Resp.Tests;

public class RespCommandWriterTests
{
    [Fact]
    public void EncodesEveryArgumentShape()
    {
        var output = new ArrayBufferWriter<byte>();
        RespCommandWriter.WriteArrayHeader(output, 6);
        RespCommandWriter.WriteBulk(output, "RESTORE");
        RespCommandWriter.WriteBulk(output, "kéy");
        RespCommandWriter.WriteBulk(output, -1234567890123L);
        RespCommandWriter.WriteBulk(output, Segments.Split("pay\r\nload"u8.ToArray(), 2, 5));
        RespCommandWriter.WriteBulk(output, ReadOnlySpan<byte>.Empty);
        RespCommandWriter.WriteBulk(output, "REPLACE"u8);
        Assert.Equal("*6\r\n$7\r\nRESTORE\r\n$4\r\nkéy\r\n$14\r\n-1234567890123\r\n$9\r\npay\r\nload\r\n$0\r\n\r\n$7\r\nREPLACE\r\n",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void DecimalFormattingMatchesTheFrameworkAtEveryDigitBoundary()
    {
        var values = new List<ulong> { 0, ulong.MaxValue };
        for (ulong power = 1; power <= 10_000_000_000_000_000_000UL; power *= 10)
        {
            values.AddRange([power - 1, power, power + 1]);
            if (power > ulong.MaxValue / 10) break;
        }
        var random = new Random(11);
        for (var i = 0; i < 1000; i++) values.Add((ulong)random.NextInt64() >> random.Next(64));
        Span<byte> buffer = stackalloc byte[32];
        foreach (var value in values)
        {
            var expected = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expected.Length, RespCommandWriter.DecimalLength(value));
            var n = RespCommandWriter.FormatBulk(buffer, value);
            Assert.Equal($"${expected.Length}\r\n{expected}\r\n", Encoding.ASCII.GetString(buffer[..n]));
        }
    }

    [Fact]
    public void SpanFormsEncodeLikeTheWriterForms()
    {
        var expected = new ArrayBufferWriter<byte>();
        RespCommandWriter.WriteBulk(expected, "RESTORE"u8);
        RespCommandWriter.WriteBulk(expected, ReadOnlySpan<byte>.Empty);
        RespCommandWriter.WriteBulk(expected, 1234567L);
        var buffer = new byte[128];
        var n = RespCommandWriter.FormatBulk(buffer, "RESTORE"u8);
        n += RespCommandWriter.FormatBulk(buffer.AsSpan(n), ReadOnlySpan<byte>.Empty);
        n += RespCommandWriter.FormatBulkHeader(buffer.AsSpan(n), 7);
        "1234567\r\n"u8.CopyTo(buffer.AsSpan(n));
        n += 9;
        Assert.Equal(Encoding.ASCII.GetString(expected.WrittenSpan), Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public void LargeValuesRoundTripThroughTheReader()
    {
        var payload = new byte[300_000];
        new Random(7).NextBytes(payload);
        var output = new ArrayBufferWriter<byte>();
        RespCommandWriter.WriteCommand(output, "SET"u8.ToArray(), "k"u8.ToArray(), payload);
        Assert.Equal(4 + 9 + 7 + RespCommandWriter.BulkSize(payload.Length), output.WrittenCount);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(output.WrittenMemory));
        var arguments = new List<ReadOnlySequence<byte>>();
        Assert.True(RespReader.TryReadCommand(ref reader, arguments));
        Assert.Equal(payload, arguments[2].ToArray());
    }

    [Fact]
    public void CommandSlicesAreReEncodedIdentically()
    {
        var encoded = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"u8.ToArray();
        var reader = new SequenceReader<byte>(Segments.PerByte(encoded));
        var arguments = new List<ReadOnlySequence<byte>>();
        Assert.True(RespReader.TryReadCommand(ref reader, arguments));
        var output = new ArrayBufferWriter<byte>();
        new Shake.Resp.Pipelining.SlicesCommand(arguments).WriteTo(output);
        Assert.Equal(encoded, output.WrittenSpan.ToArray());
    }
}
