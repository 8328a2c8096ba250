using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Shake.Resp.Protocol;

/// <summary>
/// One RESP frame header, read without allocating: a scalar with its payload as a slice of the input,
/// or an aggregate header with its announced length (the children follow in the input).
/// The payload slice is only valid while the underlying buffer is (until the pipe is advanced).
/// </summary>
public readonly struct RespToken
{
    internal RespToken(RespKind kind, long length, long integer, ReadOnlySequence<byte> payload)
    {
        Kind = kind;
        Length = length;
        Integer = integer;
        Payload = payload;
    }

    /// <summary>The frame type.</summary>
    public RespKind Kind { get; }

    /// <summary>
    /// Aggregates: the announced element count (pairs for maps and attributes), -1 for a RESP2 null array.
    /// Strings, errors, doubles, big numbers: the payload length, -1 for a RESP2 null bulk string. Otherwise 0.
    /// </summary>
    public long Length { get; }

    /// <summary>The value of an <see cref="RespKind.Integer"/>; 1 or 0 for a <see cref="RespKind.Boolean"/>.</summary>
    public long Integer { get; }

    /// <summary>The payload of string-like frames (for verbatim strings including the <c>fmt:</c> prefix); empty otherwise.</summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>True for the RESP3 null and the RESP2 null bulk string / null array.</summary>
    public bool IsNull => Kind == RespKind.Null || Length < 0;

    /// <summary>The number of child frames that follow this header in the input (0 for scalars).</summary>
    public long ChildCount => Kind.ChildCount(Length);

    /// <summary>The payload decoded as UTF-8, integers and booleans formatted (allocates; cold paths). Null for null frames.</summary>
    public string? GetString() => IsNull ? null : Kind switch
    {
        RespKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        RespKind.Boolean => Integer != 0 ? "true" : "false",
        _ => Encoding.UTF8.GetString(Payload),
    };

    /// <summary>
    /// The value as a 64-bit integer: integers and booleans directly, strings when they hold a decimal integer.
    /// Returns false when it is not an integer.
    /// </summary>
    public bool TryGetInt64(out long value)
    {
        if (Kind is RespKind.Integer or RespKind.Boolean)
        {
            value = Integer;
            return true;
        }
        value = 0;
        if (IsNull || Kind.IsAggregate() || Payload.Length is 0 or > 20) return false;
        Span<byte> buffer = stackalloc byte[20];
        var span = Payload.IsSingleSegment ? Payload.FirstSpan : CopyTo(buffer);
        return Utf8Parser.TryParse(span, out value, out var consumed) && consumed == span.Length;
    }

    /// <summary>True when the payload equals <paramref name="text"/> byte for byte (e.g. <c>"OK"u8</c>).</summary>
    public bool PayloadEquals(ReadOnlySpan<byte> text)
    {
        if (Payload.Length != text.Length) return false;
        if (Payload.IsSingleSegment) return Payload.FirstSpan.SequenceEqual(text);
        foreach (var segment in Payload)
        {
            if (!text[..segment.Length].SequenceEqual(segment.Span)) return false;
            text = text[segment.Length..];
        }
        return true;
    }

    private ReadOnlySpan<byte> CopyTo(Span<byte> buffer)
    {
        Payload.CopyTo(buffer);
        return buffer[..(int)Payload.Length];
    }

    /// <inheritdoc />
    public override string ToString() => Kind.IsAggregate() ? $"{Kind}[{Length}]" : $"{Kind} {GetString()}";
}
