using Shake.Core.Routing;

namespace Shake.Core.Conversion;

/// <summary>
/// Names the key a converted value is built under before it is renamed onto its real name, so the target never shows a
/// half-written value and an existing key is only touched by the final RENAME/RENAMENX. The name hashes to the same
/// cluster slot as the real key whenever a hash tag allows it.
/// </summary>
public static class StagingKey
{
    /// <summary>What is appended to the real key (no braces, so it never creates or moves a hash tag).</summary>
    public static ReadOnlySpan<byte> Suffix => ":shake-converting"u8;

    /// <summary>Longest staging name for a key of <paramref name="keyLength"/> bytes.</summary>
    public static int MaxLength(int keyLength) => keyLength + 2 + Suffix.Length;

    /// <summary>Writes the staging name of <paramref name="key"/> into <paramref name="destination"/> and returns its length.</summary>
    public static int Write(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        // key + suffix keeps the slot when the key has a hash tag (the suffix has no braces, so the tag is unchanged).
        key.CopyTo(destination);
        Suffix.CopyTo(destination[key.Length..]);
        var length = key.Length + Suffix.Length;
        var slot = ClusterSlot.Of(key);
        if (ClusterSlot.Of(destination[..length]) == slot) return length;
        // Without a tag the whole key is hashed: make the whole key the tag of the staging name.
        destination[0] = (byte)'{';
        key.CopyTo(destination[1..]);
        destination[key.Length + 1] = (byte)'}';
        Suffix.CopyTo(destination[(key.Length + 2)..]);
        var tagged = key.Length + 2 + Suffix.Length;
        if (ClusterSlot.Of(destination[..tagged]) == slot) return tagged;
        // A key holding '}' but no valid tag cannot be matched; only a cluster target would notice (CROSSSLOT).
        key.CopyTo(destination);
        Suffix.CopyTo(destination[key.Length..]);
        return length;
    }
}
