using Shake.Rdb.Compression;
using Shake.Rdb.Parsing;

namespace Shake.Rdb.Validation;

/// <summary>
/// Reads RDB strings for the validator into reusable buffers: two slots, so a field and its value can be held at
/// once (a string stays valid until the next read into the same slot), plus one for LZF input split across segments.
/// </summary>
internal sealed class StringSource : IDisposable
{
    private readonly ScratchBuffer _slot0 = new();
    private readonly ScratchBuffer _slot1 = new();
    private readonly ScratchBuffer _compressed = new();

    /// <summary>Reads one string into <paramref name="slot"/> (0 or 1); throws when the value ends first.</summary>
    public ReadOnlySpan<byte> Read(ref RdbCursor c, int slot)
    {
        if (!RdbStrings.TryRead(ref c, slot == 0 ? _slot0 : _slot1, _compressed, out var value)) ValueReads.ThrowTruncated(ref c, "a string");
        return value;
    }

    /// <summary>
    /// Checks one string without keeping it: a plain string is only skipped (its length was checked against the value
    /// already), an LZF string is walked run by run (<see cref="Lzf.Check"/>: the checks of a decompression, without
    /// producing the bytes), an integer-encoded one read.
    /// </summary>
    public void Check(ref RdbCursor c)
    {
        long start = c.Reader.Consumed;
        long at = c.Offset;
        if (!c.TryReadLength(out ulong length, out bool encoded)) ValueReads.ThrowTruncated(ref c, "a string");
        if (!encoded)
        {
            if (!c.TrySkip((long)Math.Min(length, long.MaxValue))) ValueReads.ThrowTruncated(ref c, "a string");
            return;
        }
        if (length == 3)
        {
            CheckLzf(ref c, at);
            return;
        }
        c.Reader.Rewind(c.Reader.Consumed - start);
        Read(ref c, 0);
    }

    private void CheckLzf(ref RdbCursor c, long at)
    {
        if (!c.TryReadCount(out ulong compressedLength, "an LZF compressed length")) ValueReads.ThrowTruncated(ref c, "an LZF string");
        if (!c.TryReadCount(out ulong plainLength, "an LZF plain length")) ValueReads.ThrowTruncated(ref c, "an LZF string");
        long limit = Math.Min(c.MaxStringLength, int.MaxValue);
        if (compressedLength > (ulong)limit || plainLength > (ulong)limit)
            throw new RdbFormatException($"LZF string length {Math.Max(compressedLength, plainLength)} exceeds the limit of {limit} bytes", at);
        if (!RdbStrings.TryTake(ref c, (int)compressedLength, _compressed, out var compressed)) ValueReads.ThrowTruncated(ref c, "an LZF string");
        try
        {
            Lzf.Check(compressed, (int)plainLength);
        }
        catch (RdbFormatException e)
        {
            throw new RdbFormatException($"corrupt LZF string: {e.Reason}", at);
        }
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        _slot0.Dispose();
        _slot1.Dispose();
        _compressed.Dispose();
    }
}
