namespace Shake.Core.Verification.Model;

/// <summary>How a verification runs (everything except the two sides and the configuration's mapping).</summary>
public sealed record VerifyOptions
{
    /// <summary>Which keys are compared.</summary>
    public VerifyMode Mode { get; init; } = VerifyMode.Complete;

    /// <summary>Keys to compare in <see cref="VerifyMode.SampleCount"/>.</summary>
    public long SampleCount { get; init; }

    /// <summary>Percentage of keys to compare in <see cref="VerifyMode.SamplePercent"/> (0–100].</summary>
    public double SamplePercent { get; init; }

    /// <summary>Most source keys compared per second; 0 means no limit.</summary>
    public int RateLimit { get; init; }

    /// <summary>Re-checks of the keys still different, after the first pass.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Wait before each re-check round, so a target catching up has time to.</summary>
    public TimeSpan RoundDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest distance between the two absolute expiries still taken as equal.</summary>
    public TimeSpan TtlTolerance { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Keys per SCAN and per probe batch.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Batches compared at once.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>
    /// Values with more elements (or string bytes) than this are read in windows when Shake computes a digest itself,
    /// instead of with one HGETALL/SMEMBERS/GET.
    /// </summary>
    public int BigValueThreshold { get; init; } = 4096;

    /// <summary>Use <c>DEBUG DIGEST-VALUE</c> where the server allows it (else values are read and digested by Shake).</summary>
    public bool ServerDigest { get; init; } = true;

    /// <summary>
    /// The first pass stops once this many keys differ (and no round runs): the target is then plainly not a copy, and
    /// every difference is held in memory until the end.
    /// </summary>
    public int MaxDifferences { get; init; } = 1_000_000;

    /// <summary>How often progress is reported.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);
}
