using System.Globalization;
using System.Text;

namespace Shake.Core.Toml;

/// <content>Values: strings, numbers, booleans, date-times, and dispatch to arrays and inline tables.</content>
public sealed partial class TomlParser
{
    private TomlNode ParseValue()
    {
        if (AtEnd) throw Error("expected a value, found end of document");
        var start = _pos;
        var (line, column) = PositionOf(start);
        var c = Current;
        switch (c)
        {
            case '"':
                return new TomlValue(TomlKind.String, LookingAt("\"\"\"") ? ParseMultiLineBasicString() : ParseBasicString(), line, column);
            case '\'':
                return new TomlValue(TomlKind.String, LookingAt("'''") ? ParseMultiLineLiteralString() : ParseLiteralString(), line, column);
            case '[':
                return Nested(ParseArray);
            case '{':
                return Nested(ParseInlineTable);
            case 't' when LookingAt("true"):
                _pos += 4;
                return new TomlValue(TomlKind.Boolean, true, line, column);
            case 'f' when LookingAt("false"):
                _pos += 5;
                return new TomlValue(TomlKind.Boolean, false, line, column);
        }
        if (char.IsAsciiDigit(c) && TryParseDateTime(line, column) is { } dateTime) return dateTime;
        if (char.IsAsciiDigit(c) || c is '+' or '-' or 'i' or 'n') return ParseNumber(line, column);
        throw Error($"expected a value, found {DescribeCurrent()}");
    }

    private TomlNode Nested(Func<TomlNode> parse)
    {
        if (++_depth > MaxNestingDepth) throw Error($"arrays and inline tables are nested more than {MaxNestingDepth} deep");
        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    // ---- strings ----

    private string ParseBasicString()
    {
        var open = _pos;
        _pos++; // '"'
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw ErrorAt(open, "unterminated string");
            var c = Current;
            if (c == '"') { _pos++; return builder.ToString(); }
            if (c == '\\') { ReadEscape(builder); continue; }
            if (c == '\n' || c == '\r') throw Error("a newline is not allowed in a single-line string (use \"\"\" for multi-line strings)");
            if (IsControl(c)) throw Error($"{DescribeCurrent()} must be escaped in a string");
            builder.Append(c);
            _pos++;
        }
    }

    private string ParseMultiLineBasicString()
    {
        var open = _pos;
        _pos += 3;
        TryReadNewline(); // a newline right after the opening delimiter is trimmed
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw ErrorAt(open, "unterminated multi-line string");
            var c = Current;
            if (c == '"')
            {
                if (ReadQuoteRun('"', builder)) return builder.ToString();
                continue;
            }
            if (c == '\\')
            {
                if (IsLineEndingBackslash()) { SkipLineEndingBackslash(); continue; }
                ReadEscape(builder);
                continue;
            }
            if (AppendNewline(builder)) continue;
            if (IsControl(c)) throw Error($"{DescribeCurrent()} must be escaped in a string");
            builder.Append(c);
            _pos++;
        }
    }

    private string ParseLiteralString()
    {
        var open = _pos;
        _pos++; // '\''
        var start = _pos;
        while (true)
        {
            if (AtEnd) throw ErrorAt(open, "unterminated literal string");
            var c = Current;
            if (c == '\'') { _pos++; return _text[start..(_pos - 1)]; }
            if (c == '\n' || c == '\r') throw Error("a newline is not allowed in a single-line literal string (use ''' for multi-line strings)");
            if (IsControl(c)) throw Error($"{DescribeCurrent()} is not allowed in a literal string");
            _pos++;
        }
    }

    private string ParseMultiLineLiteralString()
    {
        var open = _pos;
        _pos += 3;
        TryReadNewline();
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw ErrorAt(open, "unterminated multi-line literal string");
            var c = Current;
            if (c == '\'')
            {
                if (ReadQuoteRun('\'', builder)) return builder.ToString();
                continue;
            }
            if (AppendNewline(builder)) continue;
            if (IsControl(c)) throw Error($"{DescribeCurrent()} is not allowed in a literal string");
            builder.Append(c);
            _pos++;
        }
    }

    /// <summary>
    /// Handles a run of quotes inside a multi-line string: fewer than three are content; three to five close the
    /// string, the extra one or two being content; six or more cannot be written this way.
    /// </summary>
    private bool ReadQuoteRun(char quote, StringBuilder builder)
    {
        var start = _pos;
        while (!AtEnd && Current == quote) _pos++;
        var count = _pos - start;
        if (count < 3)
        {
            builder.Append(quote, count);
            return false;
        }
        if (count > 5) throw ErrorAt(start + 5, "too many quotes: at most two may precede the closing delimiter of a multi-line string");
        builder.Append(quote, count - 3);
        return true;
    }

    private bool AppendNewline(StringBuilder builder)
    {
        if (Current == '\n') { builder.Append('\n'); _pos++; return true; }
        if (Current == '\r')
        {
            if (PeekAt(1) != '\n') throw Error("a carriage return must be followed by a line feed");
            builder.Append("\r\n");
            _pos += 2;
            return true;
        }
        return false;
    }

    /// <summary>A backslash followed only by whitespace up to the end of the line joins the lines.</summary>
    private bool IsLineEndingBackslash()
    {
        var i = _pos + 1;
        while (i < _text.Length && (_text[i] == ' ' || _text[i] == '\t')) i++;
        return i < _text.Length && (_text[i] == '\n' || (_text[i] == '\r' && i + 1 < _text.Length && _text[i + 1] == '\n'));
    }

    private void SkipLineEndingBackslash()
    {
        _pos++;
        while (!AtEnd && (Current is ' ' or '\t' or '\n' || (Current == '\r' && PeekAt(1) == '\n'))) _pos++;
    }

    private void ReadEscape(StringBuilder builder)
    {
        var start = _pos;
        _pos++; // '\'
        if (AtEnd) throw ErrorAt(start, "unterminated escape sequence");
        var c = Current;
        _pos++;
        switch (c)
        {
            case 'b': builder.Append('\b'); return;
            case 't': builder.Append('\t'); return;
            case 'n': builder.Append('\n'); return;
            case 'f': builder.Append('\f'); return;
            case 'r': builder.Append('\r'); return;
            case '"': builder.Append('"'); return;
            case '\\': builder.Append('\\'); return;
            case 'u': builder.Append(ReadUnicodeEscape(start, 4)); return;
            case 'U': builder.Append(ReadUnicodeEscape(start, 8)); return;
            default:
                throw ErrorAt(start, $"invalid escape sequence '\\{(IsControl(c) || c == '\n' ? "" : c.ToString())}' (allowed: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)");
        }
    }

    private string ReadUnicodeEscape(int start, int digits)
    {
        if (_pos + digits > _text.Length) throw ErrorAt(start, $"a unicode escape needs {digits} hex digits");
        var hex = _text.AsSpan(_pos, digits);
        foreach (var h in hex)
            if (!char.IsAsciiHexDigit(h)) throw ErrorAt(start, $"a unicode escape needs {digits} hex digits");
        var scalar = uint.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (scalar > 0x10FFFF || scalar is >= 0xD800 and <= 0xDFFF)
            throw ErrorAt(start, $"U+{scalar:X} is not a Unicode scalar value");
        _pos += digits;
        return char.ConvertFromUtf32((int)scalar);
    }

    // ---- numbers ----

    private TomlValue ParseNumber(int line, int column)
    {
        var start = _pos;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(Current) || Current is '_' or '+' or '-' or '.')) _pos++;
        var token = _text[start.._pos];
        switch (token)
        {
            case "inf" or "+inf": return new TomlValue(TomlKind.Float, double.PositiveInfinity, line, column);
            case "-inf": return new TomlValue(TomlKind.Float, double.NegativeInfinity, line, column);
            case "nan" or "+nan" or "-nan": return new TomlValue(TomlKind.Float, double.NaN, line, column);
        }
        if (token.Length > 2 && token[0] == '0' && token[1] is 'x' or 'o' or 'b')
            return new TomlValue(TomlKind.Integer, ParseRadixInteger(token, start), line, column);

        var isFloat = CheckDecimal(token, start);
        var digits = token.Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
            return new TomlValue(TomlKind.Float, double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture), line, column);
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            throw ErrorAt(start, $"integer {token} does not fit in 64 bits");
        return new TomlValue(TomlKind.Integer, integer, line, column);
    }

    private long ParseRadixInteger(string token, int start)
    {
        var radix = token[1] switch { 'x' => 16, 'o' => 8, _ => 2 };
        var name = radix switch { 16 => "hexadecimal", 8 => "octal", _ => "binary" };
        ulong value = 0;
        var previousWasDigit = false;
        for (var i = 2; i < token.Length; i++)
        {
            var ch = token[i];
            if (ch == '_')
            {
                if (!previousWasDigit || i + 1 == token.Length) throw ErrorAt(start + i, "an underscore in a number must sit between two digits");
                previousWasDigit = false;
                continue;
            }
            var digit = char.IsAsciiDigit(ch) ? ch - '0' : char.IsAsciiHexDigit(ch) ? char.ToLowerInvariant(ch) - 'a' + 10 : 99;
            if (digit >= radix) throw ErrorAt(start + i, $"'{ch}' is not a {name} digit");
            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix) throw ErrorAt(start, $"integer {token} does not fit in 64 bits");
            value = value * (ulong)radix + (ulong)digit;
            previousWasDigit = true;
        }
        if (value > long.MaxValue) throw ErrorAt(start, $"integer {token} does not fit in 64 bits");
        return (long)value;
    }

    /// <summary>Checks a decimal integer or float token against TOML's grammar; returns true for a float.</summary>
    private bool CheckDecimal(string token, int start)
    {
        var i = 0;
        if (i < token.Length && token[i] is '+' or '-') i++;
        var integerStart = i;
        i = ReadDigits(token, i, start, "number");
        if (token[integerStart] == '0' && i - integerStart > 1)
            throw ErrorAt(start + integerStart, $"leading zeros are not allowed in {token}");
        var isFloat = false;
        if (i < token.Length && token[i] == '.')
        {
            isFloat = true;
            i = ReadDigits(token, i + 1, start, "fractional part");
        }
        if (i < token.Length && token[i] is 'e' or 'E')
        {
            isFloat = true;
            i++;
            if (i < token.Length && token[i] is '+' or '-') i++;
            i = ReadDigits(token, i, start, "exponent");
        }
        if (i != token.Length) throw ErrorAt(start + i, $"invalid number {token}");
        return isFloat;
    }

    /// <summary>Reads digit (_? digit)* from index i; returns the index after them.</summary>
    private int ReadDigits(string token, int i, int start, string what)
    {
        if (i >= token.Length || !char.IsAsciiDigit(token[i]))
            throw ErrorAt(start + Math.Min(i, token.Length), $"expected a digit in the {what} of {token}");
        i++;
        while (i < token.Length)
        {
            if (char.IsAsciiDigit(token[i])) { i++; continue; }
            if (token[i] == '_')
            {
                if (i + 1 >= token.Length || !char.IsAsciiDigit(token[i + 1]))
                    throw ErrorAt(start + i, "an underscore in a number must sit between two digits");
                i += 2;
                continue;
            }
            break;
        }
        return i;
    }

    // ---- date and time ----

    private TomlValue? TryParseDateTime(int line, int column)
    {
        if (IsDigits(0, 4) && PeekAt(4) == '-')
        {
            var date = ReadDate();
            var hasTime = !AtEnd && (Current is 'T' or 't' || (Current == ' ' && IsDigits(1, 2) && PeekAt(3) == ':'));
            if (!hasTime) return new TomlValue(TomlKind.LocalDate, date, line, column);
            _pos++;
            var time = ReadTime();
            var local = date.ToDateTime(time, DateTimeKind.Unspecified);
            if (!AtEnd && Current is 'Z' or 'z')
            {
                _pos++;
                return new TomlValue(TomlKind.OffsetDateTime, new DateTimeOffset(local, TimeSpan.Zero), line, column);
            }
            if (!AtEnd && Current is '+' or '-')
            {
                var offset = ReadOffset();
                return new TomlValue(TomlKind.OffsetDateTime, new DateTimeOffset(local, offset), line, column);
            }
            return new TomlValue(TomlKind.LocalDateTime, local, line, column);
        }
        if (IsDigits(0, 2) && PeekAt(2) == ':')
            return new TomlValue(TomlKind.LocalTime, ReadTime(), line, column);
        return null;
    }

    private bool IsDigits(int offset, int count)
    {
        for (var i = 0; i < count; i++)
            if (!char.IsAsciiDigit(PeekAt(offset + i))) return false;
        return true;
    }

    private int ReadFixedDigits(int count, string what)
    {
        if (!IsDigits(0, count)) throw Error($"expected {count} digits for the {what}");
        var value = int.Parse(_text.AsSpan(_pos, count), NumberStyles.None, CultureInfo.InvariantCulture);
        _pos += count;
        return value;
    }

    private DateOnly ReadDate()
    {
        var start = _pos;
        var year = ReadFixedDigits(4, "year");
        Expect('-', "in the date");
        var month = ReadFixedDigits(2, "month");
        Expect('-', "in the date");
        var day = ReadFixedDigits(2, "day");
        if (month is < 1 or > 12) throw ErrorAt(start, $"month {month} is out of range 01-12");
        if (day < 1 || day > DateTime.DaysInMonth(year == 0 ? 2000 : year, month))
            throw ErrorAt(start, $"day {day} does not exist in {year:D4}-{month:D2}");
        if (year == 0) throw ErrorAt(start, "year 0000 cannot be represented");
        return new DateOnly(year, month, day);
    }

    private TimeOnly ReadTime()
    {
        var start = _pos;
        var hour = ReadFixedDigits(2, "hour");
        Expect(':', "in the time");
        var minute = ReadFixedDigits(2, "minute");
        Expect(':', "in the time (seconds are required in TOML 1.0)");
        var second = ReadFixedDigits(2, "second");
        long ticks = 0;
        if (!AtEnd && Current == '.')
        {
            _pos++;
            var digitsStart = _pos;
            while (!AtEnd && char.IsAsciiDigit(Current)) _pos++;
            var count = _pos - digitsStart;
            if (count == 0) throw Error("expected digits after the decimal point of the seconds");
            // Precision beyond 100 ns is truncated, as the TOML specification asks for.
            var used = Math.Min(count, 7);
            ticks = long.Parse(_text.AsSpan(digitsStart, used), NumberStyles.None, CultureInfo.InvariantCulture);
            for (var i = used; i < 7; i++) ticks *= 10;
        }
        if (hour > 23 || minute > 59 || second > 59) throw ErrorAt(start, $"time {hour:D2}:{minute:D2}:{second:D2} is out of range");
        return new TimeOnly(hour, minute, second).Add(TimeSpan.FromTicks(ticks));
    }

    private TimeSpan ReadOffset()
    {
        var start = _pos;
        var sign = Current == '-' ? -1 : 1;
        _pos++;
        var hours = ReadFixedDigits(2, "offset hours");
        Expect(':', "in the time offset");
        var minutes = ReadFixedDigits(2, "offset minutes");
        if (hours > 23 || minutes > 59) throw ErrorAt(start, $"time offset {hours:D2}:{minutes:D2} is out of range");
        return sign * new TimeSpan(hours, minutes, 0);
    }
}
