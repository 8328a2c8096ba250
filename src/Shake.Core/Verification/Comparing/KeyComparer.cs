using Shake.Core.Verification.Model;

namespace Shake.Core.Verification.Comparing;

/// <summary>Decides, from what each side holds under a key, whether the key is equal and otherwise how it differs.</summary>
/// <param name="ttlToleranceMs">Largest distance of the two absolute expiries still taken as equal.</param>
public sealed class KeyComparer(long ttlToleranceMs)
{
    /// <summary>Largest distance of the two absolute expiries still taken as equal.</summary>
    public long TtlToleranceMs { get; } = ttlToleranceMs;

    /// <summary>
    /// Compares in this order: existence, type, value, expiry. Equal server digests settle the value (they also cover
    /// whether an expiry exists); different server digests, or a side without digest, ask for a value check.
    /// A key missing on the target whose source expiry falls within the tolerance of <paramref name="nowMs"/> is equal:
    /// the target may already have expired it.
    /// </summary>
    public KeyVerdict Compare(in KeyState source, in KeyState target, long nowMs)
    {
        if (!source.Exists) return target.Exists ? KeyVerdict.Extra : KeyVerdict.Gone;
        if (!target.Exists)
            return source.HasExpiry && source.ExpireAtMs <= nowMs + TtlToleranceMs ? KeyVerdict.Equal : KeyVerdict.Missing;
        if (source.Type != target.Type) return KeyVerdict.Type;
        if (source.DigestKind != target.DigestKind || source.DigestKind == DigestKind.None) return KeyVerdict.NeedsValueCheck;
        if (source.Digest != target.Digest)
            return source.DigestKind == DigestKind.Client ? KeyVerdict.Value : KeyVerdict.NeedsValueCheck;
        return ExpiriesMatch(source, target) ? KeyVerdict.Equal : KeyVerdict.Ttl;
    }

    /// <summary>Whether both sides have no expiry, or expiries within the tolerance.</summary>
    public bool ExpiriesMatch(in KeyState source, in KeyState target)
    {
        if (source.HasExpiry != target.HasExpiry) return false;
        return !source.HasExpiry || Math.Abs(source.ExpireAtMs - target.ExpireAtMs) <= TtlToleranceMs;
    }

    /// <summary>The difference kind a verdict reports; null for the verdicts that are not differences.</summary>
    public static DifferenceKind? KindOf(KeyVerdict verdict) => verdict switch
    {
        KeyVerdict.Missing => DifferenceKind.MissingOnTarget,
        KeyVerdict.Extra => DifferenceKind.ExtraOnTarget,
        KeyVerdict.Type => DifferenceKind.Type,
        KeyVerdict.Value => DifferenceKind.Value,
        KeyVerdict.Ttl => DifferenceKind.Ttl,
        _ => null,
    };
}
