using System.Buffers;
using System.Text;
using Shake.Core.Tests.Commands;
using Shake.Core.Writers;
using Shake.Rdb.Dump;

namespace Shake.Core.Tests.Writers;

public class RestoreCommandTests
{
    private static string Encode(in RestoreCommand command)
    {
        var output = new ArrayBufferWriter<byte>();
        command.WriteTo(output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData(-1L, false, -1L, -1)]
    [InlineData(0L, false, -1L, -1)]
    [InlineData(4102444800000L, true, -1L, -1)]
    [InlineData(-1L, true, 12345L, -1)]
    [InlineData(1700000000000L, false, -1L, 200)]
    public void OneSpanAndPartByPartEncodingsAreIdentical(long expireAtMs, bool replace, long idle, int frequency)
    {
        // A string value "hello" in RDB form: length byte then the bytes.
        var raw = "\u0005hello"u8.ToArray();
        var key = "user:1"u8.ToArray();
        // One segment takes the one-span path; a fragmented value takes the streamed one.
        var contiguous = Encode(new RestoreCommand(key, 0, new ReadOnlySequence<byte>(raw), 10, expireAtMs, replace, idle, frequency));
        var streamed = Encode(new RestoreCommand(key, 0, Segments.Split(raw), 10, expireAtMs, replace, idle, frequency));
        Assert.Equal(streamed, contiguous);

        var payload = Encoding.Latin1.GetString(DumpPayload.ToArray(0, new ReadOnlySequence<byte>(raw), 10));
        var ttl = expireAtMs < 0 ? "0" : expireAtMs.ToString();
        var expected = new StringBuilder();
        var args = new List<string> { "RESTORE", "user:1", ttl, payload, "ABSTTL" };
        if (replace) args.Add("REPLACE");
        if (idle >= 0) args.AddRange(["IDLETIME", idle.ToString()]);
        else if (frequency >= 0) args.AddRange(["FREQ", frequency.ToString()]);
        expected.Append('*').Append(args.Count).Append("\r\n");
        foreach (var a in args) expected.Append('$').Append(Encoding.Latin1.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        Assert.Equal(expected.ToString(), contiguous);
    }

    [Fact]
    public void ValuesBeyondTheOneSpanSizeAreStreamedIntact()
    {
        var value = new byte[10_000];
        new Random(3).NextBytes(value);
        var raw = new byte[value.Length + 3];
        raw[0] = (byte)(0x40 | (value.Length >> 8));   // 14-bit RDB length
        raw[1] = (byte)value.Length;
        value.CopyTo(raw, 2);
        var output = new ArrayBufferWriter<byte>();
        new RestoreCommand("big"u8.ToArray(), 0, new ReadOnlySequence<byte>(raw, 0, raw.Length - 1), 10, -1, false, -1, -1).WriteTo(output);
        var text = Encoding.Latin1.GetString(output.WrittenSpan);
        var payload = Encoding.Latin1.GetString(DumpPayload.ToArray(0, new ReadOnlySequence<byte>(raw, 0, raw.Length - 1), 10));
        Assert.Contains($"${payload.Length}\r\n{payload}\r\n$6\r\nABSTTL\r\n", text);
    }
}
