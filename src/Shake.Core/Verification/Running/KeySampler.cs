using System.IO.Hashing;
using Shake.Core.Verification.Model;

namespace Shake.Core.Verification.Running;

/// <summary>
/// Picks the keys a sampled run compares. The choice is a hash of the key against the sampled fraction, so the source
/// and the target pick the same keys, and a second run picks the same ones again.
/// </summary>
public sealed class KeySampler
{
    private readonly ulong _threshold;
    private readonly long _limit;
    private long _taken;

    private KeySampler(double fraction, long limit)
    {
        _threshold = fraction >= 1 ? ulong.MaxValue : (ulong)(fraction * ulong.MaxValue);
        _limit = limit;
    }

    /// <summary>Takes every key.</summary>
    public static KeySampler Complete { get; } = new(1, long.MaxValue);

    /// <summary>The sampler for <paramref name="options"/>, given how many keys the source holds.</summary>
    public static KeySampler For(VerifyOptions options, long sourceKeys) => options.Mode switch
    {
        VerifyMode.SamplePercent => new KeySampler(options.SamplePercent / 100, long.MaxValue),
        // A little over the wanted fraction, so the count is reached before the scan ends even when the hash is uneven.
        VerifyMode.SampleCount => new KeySampler(sourceKeys == 0 ? 1 : Math.Min(1, 1.1 * options.SampleCount / sourceKeys), options.SampleCount),
        _ => Complete,
    };

    /// <summary>Whether every key is taken.</summary>
    public bool TakesAll => _threshold == ulong.MaxValue && _limit == long.MaxValue;

    /// <summary>Whether enough keys were taken.</summary>
    public bool Done => Interlocked.Read(ref _taken) >= _limit;

    /// <summary>Whether <paramref name="key"/> is in the sample (counting it towards the limit when <paramref name="count"/>).</summary>
    public bool Takes(ReadOnlySpan<byte> key, bool count = true)
    {
        if (_threshold != ulong.MaxValue && XxHash3.HashToUInt64(key) > _threshold) return false;
        if (!count) return true;
        return Interlocked.Increment(ref _taken) <= _limit;
    }
}
