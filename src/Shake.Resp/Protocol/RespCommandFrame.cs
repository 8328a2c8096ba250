using System.Runtime.CompilerServices;

namespace Shake.Resp.Protocol;

/// <summary>
/// Where one command (an array of bulk strings) lies in a span, found by <see cref="TryScan"/>: its whole length, its
/// argument count, and the positions of its name and first argument, which is what deciding about a command of a
/// replication stream needs. The fast path for commands that lie in one span; everything else (a command cut by a
/// segment boundary, or anything unusual or malformed) is left to <see cref="RespReader.TryReadCommand"/>, which also
/// names what is wrong.
/// </summary>
public readonly struct RespCommandFrame
{
    private RespCommandFrame(int length, int argumentCount, int nameStart, int nameLength, int firstStart, int firstLength)
    {
        Length = length;
        ArgumentCount = argumentCount;
        NameStart = nameStart;
        NameLength = nameLength;
        FirstArgumentStart = firstStart;
        FirstArgumentLength = firstLength;
    }

    /// <summary>Bytes of the whole encoded command.</summary>
    public int Length { get; }

    /// <summary>Arguments, the command name included (at least 1).</summary>
    public int ArgumentCount { get; }

    /// <summary>Offset of the command name's bytes.</summary>
    public int NameStart { get; }

    /// <summary>Length of the command name.</summary>
    public int NameLength { get; }

    /// <summary>Offset of the first argument after the name (0 when there is none).</summary>
    public int FirstArgumentStart { get; }

    /// <summary>Length of the first argument after the name (-1 when there is none).</summary>
    public int FirstArgumentLength { get; }

    /// <summary>The name within the span the frame was scanned from.</summary>
    public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> input) => input.Slice(NameStart, NameLength);

    /// <summary>The first argument within the span the frame was scanned from (empty when there is none).</summary>
    public ReadOnlySpan<byte> FirstArgument(ReadOnlySpan<byte> input) =>
        FirstArgumentLength < 0 ? default : input.Slice(FirstArgumentStart, FirstArgumentLength);

    /// <summary>
    /// Finds the command at the start of <paramref name="input"/>. Returns false when it is not complete within the span
    /// or is not plainly well-formed (then read it with <see cref="RespReader.TryReadCommand"/>).
    /// </summary>
    public static bool TryScan(ReadOnlySpan<byte> input, out RespCommandFrame frame)
    {
        frame = default;
        if (input.Length < 4 || input[0] != '*') return false;
        var at = 1;
        if (!TryReadLength(input, ref at, out var count) || count < 1) return false;
        int nameStart = 0, nameLength = 0, firstStart = 0, firstLength = -1;
        for (var i = 0; i < count; i++)
        {
            if ((uint)at >= (uint)input.Length || input[at] != '$') return false;
            at++;
            if (!TryReadLength(input, ref at, out var length)) return false;
            var start = at;
            // Payload plus CRLF must lie in the span.
            if ((long)at + length + 2 > input.Length) return false;
            at += length;
            if (input[at] != '\r' || input[at + 1] != '\n') return false;
            at += 2;
            if (i == 0)
            {
                nameStart = start;
                nameLength = length;
            }
            else if (i == 1)
            {
                firstStart = start;
                firstLength = length;
            }
        }
        frame = new RespCommandFrame(at, count, nameStart, nameLength, firstStart, firstLength);
        return true;
    }

    // Digits then CRLF; at most 9 digits (lengths under a billion), which covers every command worth a fast path.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadLength(ReadOnlySpan<byte> input, ref int at, out int value)
    {
        value = 0;
        var i = at;
        var end = Math.Min(input.Length, at + 10);
        for (; i < end; i++)
        {
            var digit = (uint)(input[i] - '0');
            if (digit > 9) break;
            value = value * 10 + (int)digit;
        }
        if (i == at || i + 1 >= input.Length || input[i] != '\r' || input[i + 1] != '\n' || i - at > 9) return false;
        at = i + 2;
        return true;
    }
}
