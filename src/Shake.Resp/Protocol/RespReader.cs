using System.Buffers;

namespace Shake.Resp.Protocol;

/// <summary>
/// Parses RESP2 and RESP3 from a <see cref="SequenceReader{T}"/> over possibly many segments.
/// Every Try method either consumes one complete unit and returns true, or returns false and consumes nothing
/// (more input is needed); malformed input throws <see cref="RespProtocolException"/>.
/// The token and reply methods do not allocate.
/// </summary>
public static class RespReader
{
    /// <summary>Longest header or simple line accepted before the input is declared malformed (no CRLF in sight).</summary>
    public const int MaxLineLength = 1024 * 1024;

    /// <summary>Largest bulk payload accepted (Redis's own proto-max-bulk-len ceiling is far below this).</summary>
    public const long MaxBulkLength = 1L << 36;

    /// <summary>Largest aggregate element count accepted.</summary>
    public const long MaxAggregateLength = int.MaxValue;

    private const int MaxDepth = 1000;

    /// <summary>Reads one frame header: a whole scalar, or just the header line of an aggregate.</summary>
    public static bool TryReadToken(ref SequenceReader<byte> reader, out RespToken token)
    {
        var r = reader;
        var start = r.Consumed;
        if (!r.TryRead(out var prefix))
        {
            token = default;
            return false;
        }
        switch (prefix)
        {
            case (byte)'+':
            case (byte)'-':
            case (byte)'(':
            case (byte)',':
            {
                if (!TryReadLine(ref r, out var line)) goto Incomplete;
                token = new RespToken((RespKind)prefix, line.Length, 0, line);
                break;
            }
            case (byte)':':
            {
                if (!TryReadIntegerLine(ref r, start + 1, "integer reply", out var integer)) goto Incomplete;
                token = new RespToken(RespKind.Integer, 0, integer, default);
                break;
            }
            case (byte)'#':
            {
                if (!TryReadLine(ref r, out var line)) goto Incomplete;
                var b = line.Length == 1 ? line.FirstSpan[0] : (byte)0;
                if (b != 't' && b != 'f')
                    throw new RespProtocolException($"expected 't' or 'f' after '#' (boolean), found {DescribeLine(line)}", start + 1);
                token = new RespToken(RespKind.Boolean, 0, b == 't' ? 1 : 0, default);
                break;
            }
            case (byte)'_':
            {
                if (!TryReadLine(ref r, out var line)) goto Incomplete;
                if (line.Length != 0)
                    throw new RespProtocolException($"expected CRLF right after '_' (null), found {DescribeLine(line)}", start + 1);
                token = new RespToken(RespKind.Null, 0, 0, default);
                break;
            }
            case (byte)'$':
            case (byte)'!':
            case (byte)'=':
            {
                if (r.TryPeek(out var first) && first == '?')
                    throw new RespProtocolException($"streamed strings ('{(char)prefix}?') are not supported", start + 1);
                if (!TryReadIntegerLine(ref r, start + 1, "bulk length", out var length)) goto Incomplete;
                if (length == -1 && prefix == '$')
                {
                    token = new RespToken(RespKind.BulkString, -1, 0, default);
                    break;
                }
                if (length < 0 || length > MaxBulkLength)
                    throw new RespProtocolException($"expected a bulk length between 0 and {MaxBulkLength}, found {length}", start + 1);
                if (r.Remaining < length + 2) goto Incomplete;
                var payload = r.Sequence.Slice(r.Position, length);
                r.Advance(length);
                ExpectCrlf(ref r, "after the bulk payload");
                if (prefix == '=' && (length < 4 || !IsVerbatimFormat(payload)))
                    throw new RespProtocolException("expected a verbatim string to start with a 3-byte format and ':'", start);
                token = new RespToken((RespKind)prefix, length, 0, payload);
                break;
            }
            case (byte)'*':
            case (byte)'%':
            case (byte)'~':
            case (byte)'|':
            case (byte)'>':
            {
                if (r.TryPeek(out var first) && first == '?')
                    throw new RespProtocolException($"streamed aggregates ('{(char)prefix}?') are not supported", start + 1);
                if (!TryReadIntegerLine(ref r, start + 1, "aggregate length", out var length)) goto Incomplete;
                if ((length < 0 && !(length == -1 && prefix == '*')) || length > MaxAggregateLength)
                    throw new RespProtocolException($"expected an element count between 0 and {MaxAggregateLength} after '{(char)prefix}', found {length}", start + 1);
                token = new RespToken((RespKind)prefix, length, 0, default);
                break;
            }
            default:
                throw new RespProtocolException($"expected a RESP type prefix (one of +-:$*_#,(!=%~|>), found {RespProtocolException.Describe(prefix)}", start);
        }
        reader = r;
        return true;

    Incomplete:
        token = default;
        return false;
    }

    /// <summary>Skips one complete value (with any attribute decorating it and all nested children).</summary>
    public static bool TrySkipValue(ref SequenceReader<byte> reader)
    {
        var r = reader;
        long pending = 1;
        while (pending > 0)
        {
            if (!TryReadToken(ref r, out var token)) return false;
            pending += token.ChildCount - 1;
            // An attribute does not replace the value it decorates: that value still follows.
            if (token.Kind == RespKind.Attribute) pending++;
        }
        reader = r;
        return true;
    }

    /// <summary>
    /// Reads one complete reply without allocating: <see cref="RespReply.Head"/> is the header of the value itself
    /// (leading attributes are passed over) and <see cref="RespReply.Raw"/> spans every byte of it.
    /// </summary>
    public static bool TryReadReply(ref SequenceReader<byte> reader, out RespReply reply)
    {
        var r = reader;
        var start = r.Position;
        reply = default;
        RespToken head;
        while (true)
        {
            if (!TryReadToken(ref r, out head)) return false;
            if (head.Kind != RespKind.Attribute) break;
            for (long i = 0; i < head.ChildCount; i++)
                if (!TrySkipValue(ref r)) return false;
        }
        for (long i = 0; i < head.ChildCount; i++)
            if (!TrySkipValue(ref r)) return false;
        reply = new RespReply(head, r.Sequence.Slice(start, r.Position));
        reader = r;
        return true;
    }

    /// <summary>Reads one complete value into an owned <see cref="RespValue"/> (allocates; cold paths).</summary>
    public static bool TryReadValue(ref SequenceReader<byte> reader, out RespValue value)
    {
        var probe = reader;
        if (!TrySkipValue(ref probe))
        {
            value = null!;
            return false;
        }
        value = ReadComplete(ref reader, 0);
        return true;
    }

    /// <summary>
    /// Reads one command: an array of bulk strings, as slices of the input, into <paramref name="arguments"/>
    /// (cleared first; reuse the list so nothing is allocated per command). This is the shape of a replication stream.
    /// </summary>
    public static bool TryReadCommand(ref SequenceReader<byte> reader, List<ReadOnlySequence<byte>> arguments)
    {
        arguments.Clear();
        var r = reader;
        var start = r.Consumed;
        if (!TryReadToken(ref r, out var header)) return false;
        if (header.Kind != RespKind.Array || header.Length < 1)
            throw new RespProtocolException($"expected a command (a non-empty array of bulk strings), found {header.Kind} of length {header.Length}", start);
        for (long i = 0; i < header.Length; i++)
        {
            var at = r.Consumed;
            if (!TryReadToken(ref r, out var argument))
            {
                arguments.Clear();
                return false;
            }
            if (argument.Kind != RespKind.BulkString || argument.IsNull)
                throw new RespProtocolException($"expected a bulk string as command argument {i}, found {argument.Kind}", at);
            arguments.Add(argument.Payload);
        }
        reader = r;
        return true;
    }

    private static RespValue ReadComplete(ref SequenceReader<byte> reader, int depth)
    {
        if (depth > MaxDepth) throw new RespProtocolException($"values nested deeper than {MaxDepth} levels", reader.Consumed);
        TryReadToken(ref reader, out var token);
        if (token.Kind == RespKind.Attribute)
        {
            var attributes = ReadChildren(ref reader, token, depth);
            var decorated = ReadComplete(ref reader, depth + 1);
            return decorated.WithAttributes(attributes);
        }
        if (token.Kind.IsAggregate() && !token.IsNull)
            return RespValue.Aggregate(token.Kind, ReadChildren(ref reader, token, depth));
        return RespValue.FromScalar(token);
    }

    private static RespValue[] ReadChildren(ref SequenceReader<byte> reader, in RespToken token, int depth)
    {
        var children = new RespValue[token.ChildCount];
        for (var i = 0; i < children.Length; i++) children[i] = ReadComplete(ref reader, depth + 1);
        return children;
    }

    /// <summary>Reads a CRLF-terminated decimal integer; parses straight from the current span when the line lies in it.</summary>
    private static bool TryReadIntegerLine(ref SequenceReader<byte> r, long offset, string what, out long value)
    {
        var span = r.UnreadSpan;
        var cr = span.IndexOf((byte)'\r');
        if (cr >= 0 && cr + 1 < span.Length)
        {
            if (span[cr + 1] != '\n')
                throw new RespProtocolException($"expected LF after CR, found {RespProtocolException.Describe(span[cr + 1])}", r.Consumed + cr + 1);
            value = ParseInteger(span[..cr], offset, what);
            r.Advance(cr + 2);
            return true;
        }
        if (!TryReadLine(ref r, out var line))
        {
            value = 0;
            return false;
        }
        value = ParseInteger(line, offset, what);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> r, out ReadOnlySequence<byte> line)
    {
        var span = r.UnreadSpan;
        var cr = span.IndexOf((byte)'\r');
        if (cr >= 0 && cr + 1 < span.Length)
        {
            if (span[cr + 1] != '\n')
                throw new RespProtocolException($"expected LF after CR, found {RespProtocolException.Describe(span[cr + 1])}", r.Consumed + cr + 1);
            line = r.Sequence.Slice(r.Position, cr);
            r.Advance(cr + 2);
            return true;
        }
        var copy = r;
        if (!copy.TryReadTo(out line, (byte)'\r', advancePastDelimiter: true))
        {
            if (r.Remaining > MaxLineLength)
                throw new RespProtocolException($"expected CRLF within {MaxLineLength} bytes", r.Consumed);
            return false;
        }
        if (!copy.TryRead(out var lf)) return false;
        if (lf != '\n')
            throw new RespProtocolException($"expected LF after CR, found {RespProtocolException.Describe(lf)}", copy.Consumed - 1);
        r = copy;
        return true;
    }

    private static void ExpectCrlf(ref SequenceReader<byte> r, string where)
    {
        var at = r.Consumed;
        r.TryRead(out var cr);
        r.TryRead(out var lf);
        if (cr != '\r') throw new RespProtocolException($"expected CR {where}, found {RespProtocolException.Describe(cr)}", at);
        if (lf != '\n') throw new RespProtocolException($"expected LF {where}, found {RespProtocolException.Describe(lf)}", at + 1);
    }

    private static bool IsVerbatimFormat(in ReadOnlySequence<byte> payload)
    {
        Span<byte> head = stackalloc byte[4];
        payload.Slice(0, 4).CopyTo(head);
        return head[3] == ':';
    }

    private static long ParseInteger(in ReadOnlySequence<byte> line, long offset, string what)
    {
        if (line.IsSingleSegment) return ParseInteger(line.FirstSpan, offset, what);
        if (line.Length > 21)
            throw new RespProtocolException($"expected a {what} of at most 20 digits, found {line.Length} bytes", offset);
        Span<byte> buffer = stackalloc byte[21];
        line.CopyTo(buffer);
        return ParseInteger(buffer[..(int)line.Length], offset, what);
    }

    private static long ParseInteger(ReadOnlySpan<byte> text, long offset, string what)
    {
        if (text.IsEmpty) throw new RespProtocolException($"expected the digits of a {what}, found CRLF", offset);
        var negative = text[0] == '-';
        var i = negative || text[0] == '+' ? 1 : 0;
        if (i == text.Length) throw new RespProtocolException($"expected the digits of a {what} after the sign, found CRLF", offset + i);
        var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        ulong value = 0;
        for (; i < text.Length; i++)
        {
            var digit = (uint)(text[i] - '0');
            if (digit > 9)
                throw new RespProtocolException($"expected a digit of a {what}, found {RespProtocolException.Describe(text[i])}", offset + i);
            if (value > (limit - digit) / 10)
                throw new RespProtocolException($"{what} does not fit in 64 bits", offset);
            value = value * 10 + digit;
        }
        return negative ? (long)(0 - value) : (long)value;
    }

    private static string DescribeLine(in ReadOnlySequence<byte> line) =>
        line.Length == 0 ? "CRLF" : RespProtocolException.Describe(line.FirstSpan[0]) + (line.Length > 1 ? $" and {line.Length - 1} more bytes" : "");
}
