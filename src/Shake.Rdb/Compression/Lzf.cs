using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Shake.Rdb.Compression;

/// <summary>
/// LZF, the compression of RDB strings stored with the LZF special encoding.
/// </summary>
/// <remarks>
/// The stream is a series of runs, each introduced by a control byte <c>c</c>:
/// <c>c &lt; 32</c> is a literal of <c>c + 1</c> bytes that follow;
/// otherwise <c>c &gt;&gt; 5</c> is a back-reference length minus 2 (7 means one more length byte follows, added to it)
/// and <c>(c &amp; 31) &lt;&lt; 8</c> plus the next byte is the distance minus 1 back from the current output position.
/// </remarks>
public static class Lzf
{
    private const int MaxLiteral = 32;
    private const int MaxDistance = 1 << 13;
    private const int MaxMatch = (1 << 8) + (1 << 3);
    private const int HashBits = 14;

    /// <summary>
    /// Decompresses <paramref name="input"/> into <paramref name="output"/>, whose length is the expected uncompressed length.
    /// Returns the number of bytes written, which is always <c>output.Length</c>.
    /// </summary>
    /// <exception cref="RdbFormatException">The input is corrupt (a back-reference before the start of the output, a run cut short),
    /// or it decompresses to more or fewer bytes than <c>output.Length</c>; the offset is inside <paramref name="input"/>.</exception>
    public static int Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        // Every run is bounds-checked explicitly below, so the copies use unchecked references. Short copies move
        // 8 or 16 bytes at a time and may write past the run's end (never past the output), to be overwritten by the next run.
        ref byte src = ref MemoryMarshal.GetReference(input);
        ref byte dst = ref MemoryMarshal.GetReference(output);
        var inputLength = input.Length;
        var outputLength = output.Length;
        var ip = 0;
        var op = 0;
        while (ip < inputLength)
        {
            int control = Unsafe.Add(ref src, ip);
            var runStart = ip;
            ip++;
            if (control < 32)
            {
                var literal = control + 1;
                if (ip + literal > inputLength)
                    throw new RdbFormatException($"LZF literal run of {literal} bytes is cut short by the end of the input", runStart);
                if (op + literal > outputLength)
                    throw new RdbFormatException($"LZF data decompresses to more than the expected {outputLength} bytes", runStart);
                if (ip + 32 <= inputLength && op + 32 <= outputLength)
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, op), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref src, ip)));
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, op + 16), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref src, ip + 16)));
                }
                else
                {
                    Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref dst, op), ref Unsafe.Add(ref src, ip), (uint)literal);
                }
                ip += literal;
                op += literal;
                continue;
            }

            var length = control >> 5;
            if (length == 7)
            {
                if (ip >= inputLength)
                    throw new RdbFormatException("LZF back-reference length byte is missing at the end of the input", runStart);
                length += Unsafe.Add(ref src, ip++);
            }
            if (ip >= inputLength)
                throw new RdbFormatException("LZF back-reference distance byte is missing at the end of the input", runStart);
            var distance = (((control & 0x1F) << 8) | Unsafe.Add(ref src, ip++)) + 1;
            length += 2;
            var from = op - distance;
            if (from < 0)
                throw new RdbFormatException($"LZF back-reference reaches {-from} bytes before the start of the output", runStart);
            if (op + length > outputLength)
                throw new RdbFormatException($"LZF data decompresses to more than the expected {outputLength} bytes", runStart);
            if (distance >= 8 && op + length + 8 <= outputLength)
            {
                // Chunks of 8 read only bytes at least 8 behind, which are final even when the reference overlaps itself.
                for (var i = 0; i < length; i += 8)
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, op + i), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref dst, from + i)));
            }
            else if (distance >= length)
            {
                Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref dst, op), ref Unsafe.Add(ref dst, from), (uint)length);
            }
            else
            {
                // Short-period overlap (run-length style): the source includes bytes this very copy produces.
                for (var i = 0; i < length; i++)
                    Unsafe.Add(ref dst, op + i) = Unsafe.Add(ref dst, from + i);
            }
            op += length;
        }
        if (op != outputLength)
            throw new RdbFormatException($"LZF data decompresses to {op} bytes, expected {outputLength}", inputLength);
        return op;
    }

    /// <summary>
    /// Checks that <paramref name="input"/> decompresses to exactly <paramref name="outputLength"/> bytes, with the same
    /// tests as <see cref="Decompress"/> (runs complete, back-references inside the output so far), without producing
    /// the bytes: a validator that needs no value pays for the runs, not for copying them.
    /// </summary>
    /// <exception cref="RdbFormatException">As <see cref="Decompress"/>.</exception>
    public static void Check(ReadOnlySpan<byte> input, int outputLength)
    {
        var ip = 0;
        long op = 0;
        while (ip < input.Length)
        {
            int control = input[ip];
            var runStart = ip;
            ip++;
            if (control < 32)
            {
                var literal = control + 1;
                if (ip + literal > input.Length)
                    throw new RdbFormatException($"LZF literal run of {literal} bytes is cut short by the end of the input", runStart);
                if (op + literal > outputLength)
                    throw new RdbFormatException($"LZF data decompresses to more than the expected {outputLength} bytes", runStart);
                ip += literal;
                op += literal;
                continue;
            }
            var length = control >> 5;
            if (length == 7)
            {
                if (ip >= input.Length)
                    throw new RdbFormatException("LZF back-reference length byte is missing at the end of the input", runStart);
                length += input[ip++];
            }
            if (ip >= input.Length)
                throw new RdbFormatException("LZF back-reference distance byte is missing at the end of the input", runStart);
            var distance = (((control & 0x1F) << 8) | input[ip++]) + 1;
            length += 2;
            if (op - distance < 0)
                throw new RdbFormatException($"LZF back-reference reaches {distance - op} bytes before the start of the output", runStart);
            if (op + length > outputLength)
                throw new RdbFormatException($"LZF data decompresses to more than the expected {outputLength} bytes", runStart);
            op += length;
        }
        if (op != outputLength)
            throw new RdbFormatException($"LZF data decompresses to {op} bytes, expected {outputLength}", input.Length);
    }

    /// <summary>
    /// Compresses <paramref name="input"/> into <paramref name="output"/>. Returns the compressed length, or 0 when the compressed
    /// form would not be smaller than <c>output.Length</c> (the caller then stores the data uncompressed).
    /// Pass an output shorter than the input to require a saving.
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        // The result must be strictly shorter than output, so everything is written within limit bytes.
        var limit = output.Length - 1;
        if (input.IsEmpty || limit < 1) return 0;
        var table = ArrayPool<int>.Shared.Rent(1 << HashBits);
        try
        {
            Array.Clear(table, 0, 1 << HashBits);
            return CompressCore(input, output[..limit], table);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(table);
        }
    }

    private static int CompressCore(ReadOnlySpan<byte> input, Span<byte> output, int[] lastSeen)
    {
        var ip = 0;
        var op = 1; // output[0] is the control byte of the first literal run
        var literal = 0;
        while (ip < input.Length)
        {
            if (ip + 2 < input.Length)
            {
                var slot = Slot(input, ip);
                var candidate = lastSeen[slot] - 1; // stored +1 so 0 means empty
                lastSeen[slot] = ip + 1;
                var distance = ip - candidate;
                if (candidate >= 0 && distance <= MaxDistance
                    && input[candidate] == input[ip] && input[candidate + 1] == input[ip + 1] && input[candidate + 2] == input[ip + 2])
                {
                    var maxLength = Math.Min(input.Length - ip, MaxMatch);
                    var length = 3;
                    while (length < maxLength && input[candidate + length] == input[ip + length]) length++;

                    if (literal > 0) output[op - literal - 1] = (byte)(literal - 1);
                    else op--; // drop the unused control byte
                    var code = length - 2;
                    var offset = distance - 1;
                    // Reference (2 or 3 bytes) plus, unless the input ends here, the control byte of the next literal run.
                    var needed = (code >= 7 ? 3 : 2) + (ip + length < input.Length ? 1 : 0);
                    if (op + needed > output.Length) return 0;
                    if (code < 7)
                    {
                        output[op++] = (byte)((code << 5) | (offset >> 8));
                    }
                    else
                    {
                        output[op++] = (byte)((7 << 5) | (offset >> 8));
                        output[op++] = (byte)(code - 7);
                    }
                    output[op++] = (byte)offset;
                    op++;
                    literal = 0;
                    ip += length;
                    // Remember the positions just before the next one, so a periodic input keeps finding in-phase matches.
                    for (var back = ip - 2; back < ip; back++)
                        if (back + 2 < input.Length)
                            lastSeen[Slot(input, back)] = back + 1;
                    continue;
                }
            }

            if (op >= output.Length) return 0;
            output[op++] = input[ip++];
            literal++;
            if (literal == MaxLiteral)
            {
                output[op - literal - 1] = MaxLiteral - 1;
                literal = 0;
                if (op >= output.Length && ip < input.Length) return 0;
                op++;
            }
        }
        if (literal > 0) output[op - literal - 1] = (byte)(literal - 1);
        else op--;
        return op;
    }

    private static int Slot(ReadOnlySpan<byte> input, int at)
    {
        var triple = (uint)((input[at] << 16) | (input[at + 1] << 8) | input[at + 2]);
        return (int)((triple * 2654435761u) >> (32 - HashBits));
    }
}
