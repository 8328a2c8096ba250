using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Shake.Resp.Protocol;

/// <summary>
/// Encodes commands (<c>*N</c> then N bulk strings) straight into an <see cref="IBufferWriter{T}"/> such as a
/// <see cref="System.IO.Pipelines.PipeWriter"/>, without intermediate buffers or allocations.
/// Write <see cref="WriteArrayHeader"/> with the argument count, then exactly that many bulk strings.
/// </summary>
public static class RespCommandWriter
{
    private const int MaxHeaderLength = 1 + 20 + 2;
    private const int LargeValue = 16 * 1024;

    /// <summary>The longest bulk header: <c>$</c>, 20 digits, CRLF.</summary>
    public const int MaxBulkHeaderLength = MaxHeaderLength;

    /// <summary>
    /// Formats <c>$length\r\n</c> into <paramref name="destination"/> (at least <see cref="MaxBulkHeaderLength"/>
    /// bytes, or the exact size) and returns its length. The span forms let a hot path that knows a command's size
    /// ask its writer for one span and fill it, instead of a span request per argument.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FormatBulkHeader(Span<byte> destination, long length) => FormatHeader(destination, (byte)'$', length);

    /// <summary>Formats one bulk string (header, bytes, CRLF) into <paramref name="destination"/>; returns its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FormatBulk(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        var n = FormatHeader(destination, (byte)'$', value.Length);
        value.CopyTo(destination[n..]);
        n += value.Length;
        destination[n] = (byte)'\r';
        destination[n + 1] = (byte)'\n';
        return n + 2;
    }

    /// <summary>Formats one bulk string holding the decimal form of <paramref name="value"/> (not negative); returns its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FormatBulk(Span<byte> destination, ulong value)
    {
        var digits = DecimalLength(value);
        var n = FormatHeader(destination, (byte)'$', digits);
        FormatDecimal(destination.Slice(n, digits), value);
        n += digits;
        destination[n] = (byte)'\r';
        destination[n + 1] = (byte)'\n';
        return n + 2;
    }

    /// <summary>The number of decimal digits of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DecimalLength(ulong value)
    {
        // log10 from log2: 1233/4096 is just above log10(2); one comparison corrects the estimate.
        var estimate = (BitOperations.Log2(value | 1) + 1) * 1233 >> 12;
        return estimate + 1 - ((value | 1) < PowersOf10[estimate] ? 1 : 0);
    }

    /// <summary>Writes the decimal digits of <paramref name="value"/> filling exactly <paramref name="destination"/> (its length from <see cref="DecimalLength"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FormatDecimal(Span<byte> destination, ulong value)
    {
        var i = destination.Length - 1;
        while (value >= 10)
        {
            var quotient = value / 10;
            destination[i--] = (byte)('0' + (value - quotient * 10));
            value = quotient;
        }
        destination[i] = (byte)('0' + value);
    }

    private static ReadOnlySpan<ulong> PowersOf10 =>
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>Writes <c>*count\r\n</c>.</summary>
    public static void WriteArrayHeader(IBufferWriter<byte> output, int count) => WriteHeader(output, (byte)'*', count);

    /// <summary>Writes one bulk string argument.</summary>
    public static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        if (value.Length > LargeValue)
        {
            // Asking for one huge span would make the writer allocate an oversized buffer; copy through normal ones.
            WriteHeader(output, (byte)'$', value.Length);
            Copy(output, value);
            WriteCrlf(output);
            return;
        }
        var span = output.GetSpan(MaxHeaderLength + value.Length + 2);
        var n = FormatHeader(span, (byte)'$', value.Length);
        value.CopyTo(span[n..]);
        n += value.Length;
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        output.Advance(n);
    }

    /// <summary>Writes one bulk string argument from a possibly multi-segment slice (e.g. a payload cut from an RDB stream).</summary>
    public static void WriteBulk(IBufferWriter<byte> output, in ReadOnlySequence<byte> value)
    {
        if (value.IsSingleSegment)
        {
            WriteBulk(output, value.FirstSpan);
            return;
        }
        WriteHeader(output, (byte)'$', value.Length);
        foreach (var segment in value) Copy(output, segment.Span);
        WriteCrlf(output);
    }

    /// <summary>Writes one bulk string argument holding the decimal form of <paramref name="value"/>.</summary>
    public static void WriteBulk(IBufferWriter<byte> output, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        WriteBulk(output, digits[..length]);
    }

    /// <summary>Writes one bulk string argument holding <paramref name="value"/> as UTF-8.</summary>
    public static void WriteBulk(IBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = output.GetSpan(MaxHeaderLength + length + 2);
        var n = FormatHeader(span, (byte)'$', length);
        n += Encoding.UTF8.GetBytes(value, span[n..]);
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        output.Advance(n);
    }

    /// <summary>Writes a whole command whose arguments are strings (cold paths; no allocation beyond the output buffer).</summary>
    public static void WriteCommand(IBufferWriter<byte> output, params ReadOnlySpan<string> arguments)
    {
        WriteArrayHeader(output, arguments.Length);
        foreach (var argument in arguments) WriteBulk(output, argument);
    }

    /// <summary>Writes a whole command whose arguments are byte arrays.</summary>
    public static void WriteCommand(IBufferWriter<byte> output, params ReadOnlySpan<ReadOnlyMemory<byte>> arguments)
    {
        WriteArrayHeader(output, arguments.Length);
        foreach (var argument in arguments) WriteBulk(output, argument.Span);
    }

    /// <summary>Writes a whole command from argument slices (e.g. a replication-stream command read by <see cref="RespReader.TryReadCommand"/>, possibly edited).</summary>
    public static void WriteCommand(IBufferWriter<byte> output, List<ReadOnlySequence<byte>> arguments)
    {
        WriteArrayHeader(output, arguments.Count);
        for (var i = 0; i < arguments.Count; i++) WriteBulk(output, arguments[i]);
    }

    /// <summary>Copies already-encoded RESP bytes (e.g. a command taken verbatim from a replication stream).</summary>
    public static void WriteRaw(IBufferWriter<byte> output, in ReadOnlySequence<byte> encoded)
    {
        foreach (var segment in encoded) Copy(output, segment.Span);
    }

    /// <summary>The number of bytes <see cref="WriteBulk(IBufferWriter{byte}, ReadOnlySpan{byte})"/> produces for a payload of <paramref name="length"/> bytes.</summary>
    public static long BulkSize(long length) => 1 + DecimalLength((ulong)length) + 2 + length + 2;

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, long length)
    {
        var span = output.GetSpan(MaxHeaderLength);
        output.Advance(FormatHeader(span, prefix, length));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FormatHeader(Span<byte> span, byte prefix, long length)
    {
        var digits = DecimalLength((ulong)length);
        span[0] = prefix;
        FormatDecimal(span.Slice(1, digits), (ulong)length);
        span[1 + digits] = (byte)'\r';
        span[2 + digits] = (byte)'\n';
        return 3 + digits;
    }

    private static void WriteCrlf(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        output.Advance(2);
    }

    private static void Copy(IBufferWriter<byte> output, ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            var span = output.GetSpan(1);
            var n = Math.Min(span.Length, source.Length);
            source[..n].CopyTo(span);
            output.Advance(n);
            source = source[n..];
        }
    }
}
