using System.Buffers.Text;

namespace Shake.Rdb.Encodings;

/// <summary>
/// One element of a ziplist or listpack: either a byte string (a slice of the blob, not copied) or an integer
/// that the compact encoding stored in binary form.
/// </summary>
public readonly ref struct CompactElement
{
    /// <summary>Longest decimal text of a 64-bit integer ("-9223372036854775808").</summary>
    public const int MaxIntegerTextLength = 20;

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly long _integer;

    /// <summary>A string element over <paramref name="bytes"/>.</summary>
    public CompactElement(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _integer = 0;
        IsInteger = false;
    }

    /// <summary>An integer element.</summary>
    public CompactElement(long integer)
    {
        _bytes = default;
        _integer = integer;
        IsInteger = true;
    }

    /// <summary>True when the element was stored as an integer; then <see cref="Integer"/> holds it and <see cref="Bytes"/> is empty.</summary>
    public bool IsInteger { get; }

    /// <summary>The integer value; 0 for a string element.</summary>
    public long Integer => _integer;

    /// <summary>The string bytes (a slice of the blob); empty for an integer element.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The number of bytes <see cref="FormatTo"/> writes.</summary>
    public int FormattedLength
    {
        get
        {
            if (!IsInteger) return _bytes.Length;
            Span<byte> scratch = stackalloc byte[MaxIntegerTextLength];
            Utf8Formatter.TryFormat(_integer, scratch, out var written);
            return written;
        }
    }

    /// <summary>
    /// Writes the element as Redis shows it — the decimal text of an integer, or the string bytes — and returns the byte count.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short (see <see cref="FormattedLength"/>).</exception>
    public int FormatTo(Span<byte> destination)
    {
        if (IsInteger)
        {
            if (!Utf8Formatter.TryFormat(_integer, destination, out var written))
                throw new ArgumentException($"destination of {destination.Length} bytes is too short for the integer {_integer}", nameof(destination));
            return written;
        }
        if (_bytes.Length > destination.Length)
            throw new ArgumentException($"destination of {destination.Length} bytes is too short for a {_bytes.Length}-byte string", nameof(destination));
        _bytes.CopyTo(destination);
        return _bytes.Length;
    }

    /// <summary>
    /// The element as a 64-bit integer: the stored integer, or a string that is a canonical decimal integer
    /// (as Redis itself accepts when it reads integers from a compact encoding).
    /// </summary>
    public bool TryGetInteger(out long value)
    {
        if (IsInteger)
        {
            value = _integer;
            return true;
        }
        return Utf8Parser.TryParse(_bytes, out value, out var consumed) && consumed == _bytes.Length && _bytes.Length > 0;
    }

    /// <summary>The element as text (bytes read as UTF-8), for diagnostics.</summary>
    public override string ToString() => IsInteger ? _integer.ToString(System.Globalization.CultureInfo.InvariantCulture) : System.Text.Encoding.UTF8.GetString(_bytes);
}
