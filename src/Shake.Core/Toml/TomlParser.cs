using System.Text;

namespace Shake.Core.Toml;

/// <summary>
/// A recursive-descent reader for TOML 1.0 documents. Every node and key keeps its line and column;
/// any deviation from the specification raises a <see cref="TomlException"/> naming where.
/// </summary>
public sealed partial class TomlParser
{
    /// <summary>Deepest nesting of arrays and inline tables accepted; deeper input is rejected rather than exhausting the stack.</summary>
    public const int MaxNestingDepth = 128;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _text;
    private readonly List<int> _lineStarts = [0];
    private readonly TomlTable _root = new(1, 1, TomlTableOrigin.Header);
    private TomlTable _current;
    private int _pos;
    private int _depth;

    private TomlParser(string text)
    {
        _text = text;
        for (var i = 0; i < text.Length; i++)
            if (text[i] == '\n') _lineStarts.Add(i + 1);
        _current = _root;
        if (text.Length > 0 && text[0] == '\uFEFF') _pos = 1;
    }

    /// <summary>Parses a document held in a string and returns its root table.</summary>
    public static TomlTable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TomlParser(text).ParseDocument();
    }

    /// <summary>Parses UTF-8 bytes (a leading byte-order mark is allowed); invalid UTF-8 is an error.</summary>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            var index = Math.Clamp(e.Index, 0, utf8.Length);
            var before = utf8[..index];
            var line = before.Count((byte)'\n') + 1;
            var column = index - (before.LastIndexOf((byte)'\n') + 1) + 1;
            throw new TomlException("the document is not valid UTF-8", line, column);
        }
        return Parse(text);
    }

    /// <summary>Reads and parses a file.</summary>
    public static TomlTable ParseFile(string path) => Parse(File.ReadAllBytes(path));

    private TomlTable ParseDocument()
    {
        while (!AtEnd)
        {
            SkipWhitespace();
            if (AtEnd) break;
            var c = Current;
            if (c == '#') SkipComment();
            else if (c == '\n' || c == '\r') { }
            else if (c == '[') ParseHeader();
            else ParseKeyValue(_current);
            ExpectLineEnd();
        }
        return _root;
    }

    // ---- positions and errors ----

    private bool AtEnd => _pos >= _text.Length;

    private char Current => _text[_pos];

    private char PeekAt(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    private bool LookingAt(string literal) => string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) == 0;

    private (int Line, int Column) PositionOf(int index)
    {
        var found = _lineStarts.BinarySearch(index);
        var lineIndex = found >= 0 ? found : ~found - 1;
        return (lineIndex + 1, index - _lineStarts[lineIndex] + 1);
    }

    private TomlException Error(string reason) => ErrorAt(_pos, reason);

    private TomlException ErrorAt(int index, string reason)
    {
        var (line, column) = PositionOf(index);
        return new TomlException(reason, line, column);
    }

    private string DescribeCurrent()
    {
        if (AtEnd) return "end of document";
        var c = Current;
        return c switch
        {
            '\n' => "end of line",
            '\r' => "carriage return",
            _ when char.IsControl(c) => $"control character U+{(int)c:X4}",
            _ => $"'{c}'",
        };
    }

    private static bool IsControl(char c) => (c < 0x20 && c != '\t') || c == 0x7F;

    // ---- whitespace, comments, newlines ----

    private void SkipWhitespace()
    {
        while (!AtEnd && (Current == ' ' || Current == '\t')) _pos++;
    }

    private void SkipComment()
    {
        _pos++; // '#'
        while (!AtEnd)
        {
            var c = Current;
            if (c == '\n' || (c == '\r' && PeekAt(1) == '\n')) return;
            if (IsControl(c)) throw Error($"{DescribeCurrent()} is not allowed in a comment");
            _pos++;
        }
    }

    /// <summary>After an expression only whitespace, a comment and a newline (or the end) may follow.</summary>
    private void ExpectLineEnd()
    {
        SkipWhitespace();
        if (!AtEnd && Current == '#') SkipComment();
        if (AtEnd) return;
        if (!TryReadNewline()) throw Error($"expected the end of the line, found {DescribeCurrent()}");
    }

    private bool TryReadNewline()
    {
        if (AtEnd) return false;
        if (Current == '\n') { _pos++; return true; }
        if (Current == '\r')
        {
            if (PeekAt(1) != '\n') throw Error("a carriage return must be followed by a line feed");
            _pos += 2;
            return true;
        }
        return false;
    }

    /// <summary>Inside arrays, whitespace, comments and newlines may appear between elements.</summary>
    private void SkipWhitespaceCommentsAndNewlines()
    {
        while (true)
        {
            SkipWhitespace();
            if (AtEnd) return;
            if (Current == '#') SkipComment();
            else if (!TryReadNewline()) return;
        }
    }

    private void Expect(char c, string context)
    {
        if (AtEnd || Current != c) throw Error($"expected '{c}' {context}, found {DescribeCurrent()}");
        _pos++;
    }
}
