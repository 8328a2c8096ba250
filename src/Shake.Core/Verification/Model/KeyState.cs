namespace Shake.Core.Verification.Model;

/// <summary>What one side holds under a key, as far as a probe read it.</summary>
/// <param name="Type">The type; <see cref="RedisValueType.None"/> when the key does not exist.</param>
/// <param name="ExpireAtMs">Absolute expiry in Unix milliseconds; -1 without expiry, -2 when the key does not exist.</param>
/// <param name="Digest">The value digest (server-side <c>DEBUG DIGEST-VALUE</c>, or computed by Shake from the value).</param>
/// <param name="DigestKind">Where <see cref="Digest"/> came from; digests are only comparable when both kinds are equal.</param>
public readonly record struct KeyState(RedisValueType Type, long ExpireAtMs, UInt128 Digest, DigestKind DigestKind)
{
    /// <summary>A key that does not exist.</summary>
    public static KeyState Missing { get; } = new(RedisValueType.None, -2, UInt128.Zero, DigestKind.None);

    /// <summary>Whether the key exists.</summary>
    public bool Exists => Type != RedisValueType.None;

    /// <summary>Whether the key has an expiry.</summary>
    public bool HasExpiry => ExpireAtMs >= 0;

    /// <summary>This state with a digest computed by Shake from the value.</summary>
    public KeyState WithValueDigest(UInt128 digest) => this with { Digest = digest, DigestKind = DigestKind.Client };
}

/// <summary>Where a <see cref="KeyState.Digest"/> came from.</summary>
public enum DigestKind : byte
{
    /// <summary>No digest was read.</summary>
    None,
    /// <summary><c>DEBUG DIGEST-VALUE</c> on the server (it also reflects whether the key has an expiry).</summary>
    Server,
    /// <summary>Computed by Shake from the value read (ordered for strings, lists, zsets and streams; order-free for sets and hashes).</summary>
    Client,
}
