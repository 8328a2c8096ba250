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
    /// already), an LZF string is decompressed, since only that proves it well-formed.
    /// </summary>
    public void Check(ref RdbCursor c)
    {
        long start = c.Reader.Consumed;
        if (!c.TryReadLength(out ulong length, out bool encoded)) ValueReads.ThrowTruncated(ref c, "a string");
        if (!encoded)
        {
            if (!c.TrySkip((long)Math.Min(length, long.MaxValue))) ValueReads.ThrowTruncated(ref c, "a string");
            return;
        }
        c.Reader.Rewind(c.Reader.Consumed - start);
        Read(ref c, 0);
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        _slot0.Dispose();
        _slot1.Dispose();
        _compressed.Dispose();
    }
}
