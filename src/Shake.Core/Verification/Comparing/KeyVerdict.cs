namespace Shake.Core.Verification.Comparing;

/// <summary>What comparing the two states of a key found.</summary>
public enum KeyVerdict : byte
{
    /// <summary>Same type, value and expiry (within the tolerance), or a key about to expire missing on the target.</summary>
    Equal,
    /// <summary>Neither side holds the key any more (it was deleted or expired since the scan).</summary>
    Gone,
    /// <summary>The digests cannot decide: the values must be read and digested by Shake.</summary>
    NeedsValueCheck,
    /// <summary>On the source, not on the target.</summary>
    Missing,
    /// <summary>On the target, not on the source.</summary>
    Extra,
    /// <summary>Different types.</summary>
    Type,
    /// <summary>Different values.</summary>
    Value,
    /// <summary>Different expiries.</summary>
    Ttl,
}
