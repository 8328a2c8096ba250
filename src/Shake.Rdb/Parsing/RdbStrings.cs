using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Text;
using Shake.Rdb.Compression;

namespace Shake.Rdb.Parsing;

/// <summary>Decodes one RDB string (raw, integer-encoded or LZF) into bytes.</summary>
internal static class RdbStrings
{
    /// <summary>
    /// Reads a string. The result is a slice of the input when the bytes are stored plainly in one segment,
    /// otherwise it lives in <paramref name="scratch"/> (integers as decimal text, LZF decompressed, split strings copied).
    /// <paramref name="compressedScratch"/> holds LZF input that is split across segments.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRead(ref RdbCursor c, ScratchBuffer scratch, ScratchBuffer compressedScratch, out ReadOnlySpan<byte> value)
    {
        value = default;
        long at = c.Offset;
        if (!c.TryReadLength(out ulong len, out bool encoded)) return false;
        if (!encoded)
        {
            if (len > (ulong)c.MaxStringLength || len > int.MaxValue)
                throw new RdbFormatException($"string length {len} exceeds the limit of {Math.Min(c.MaxStringLength, int.MaxValue)} bytes", at);
            return TryTake(ref c, (int)len, scratch, out value);
        }
        switch (len)
        {
            case 0:
            {
                if (!c.Reader.TryRead(out byte b)) return false;
                value = FormatInteger((sbyte)b, scratch);
                return true;
            }
            case 1:
            {
                if (!c.Reader.TryReadLittleEndian(out short v)) return false;
                value = FormatInteger(v, scratch);
                return true;
            }
            case 2:
            {
                if (!c.Reader.TryReadLittleEndian(out int v)) return false;
                value = FormatInteger(v, scratch);
                return true;
            }
            case 3:
                return TryReadLzf(ref c, scratch, compressedScratch, at, out value);
            default:
                throw new RdbFormatException($"unknown string encoding {len}", at);
        }
    }

    /// <summary>Takes <paramref name="length"/> bytes as a span, copying only when they span segments.</summary>
    public static bool TryTake(ref RdbCursor c, int length, ScratchBuffer scratch, out ReadOnlySpan<byte> value)
    {
        var unread = c.Reader.UnreadSpan;
        if (unread.Length >= length)
        {
            value = unread[..length];
            c.Reader.Advance(length);
            return true;
        }
        if (c.Reader.Remaining < length) { value = default; return false; }
        var target = scratch.Get(length);
        c.Reader.TryCopyTo(target);
        c.Reader.Advance(length);
        value = target;
        return true;
    }

    private static ReadOnlySpan<byte> FormatInteger(long v, ScratchBuffer scratch)
    {
        var target = scratch.Get(20);
        Utf8Formatter.TryFormat(v, target, out int written);
        return target[..written];
    }

    private static bool TryReadLzf(ref RdbCursor c, ScratchBuffer scratch, ScratchBuffer compressedScratch, long at, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!c.TryReadCount(out ulong compressedLength, "an LZF compressed length")) return false;
        if (!c.TryReadCount(out ulong plainLength, "an LZF plain length")) return false;
        long limit = Math.Min(c.MaxStringLength, int.MaxValue);
        if (compressedLength > (ulong)limit || plainLength > (ulong)limit)
            throw new RdbFormatException($"LZF string length {Math.Max(compressedLength, plainLength)} exceeds the limit of {limit} bytes", at);
        // An LZF back-reference of 3 bytes expands to at most 264 bytes, so a larger ratio is corruption; checking it
        // before allocating keeps a forged length from reserving gigabytes.
        if (plainLength > compressedLength * 88 + 8)
            throw new RdbFormatException($"LZF string claims {plainLength} bytes from {compressedLength} compressed bytes, more than LZF can expand", at);
        if (!TryTake(ref c, (int)compressedLength, compressedScratch, out var compressed)) return false;
        var output = scratch.Get((int)plainLength);
        int written;
        try
        {
            written = Lzf.Decompress(compressed, output);
        }
        catch (RdbFormatException e)
        {
            throw new RdbFormatException($"corrupt LZF string: {e.Reason}", at);
        }
        if (written != (int)plainLength)
            throw new RdbFormatException($"LZF string decompressed to {written} bytes, expected {plainLength}", at);
        value = output;
        return true;
    }
}
