namespace Shake.Core.Verification.Model;

/// <summary>The outcome of a verification.</summary>
/// <param name="SourceKeys">Source keys scanned (in sampled modes: the sampled ones).</param>
/// <param name="Compared">Source keys the configuration carries, compared with the target.</param>
/// <param name="Filtered">Source keys the configuration does not carry (dropped by the filters).</param>
/// <param name="TargetKeysChecked">Target keys checked for a source counterpart (0 when the key counts proved there is none extra).</param>
/// <param name="FirstPass">Differences found by the first pass, per kind.</param>
/// <param name="Rounds">Re-check rounds run.</param>
/// <param name="Differences">What is still different after the last round.</param>
/// <param name="Elapsed">Time taken.</param>
/// <param name="ServerDigests">Whether every node computed value digests (<c>DEBUG DIGEST-VALUE</c>).</param>
/// <param name="Truncated">The first pass stopped at <see cref="VerifyOptions.MaxDifferences"/> differences; not every key was compared.</param>
public sealed record VerifyResult(
    long SourceKeys,
    long Compared,
    long Filtered,
    long TargetKeysChecked,
    IReadOnlyDictionary<DifferenceKind, long> FirstPass,
    int Rounds,
    IReadOnlyList<KeyDifference> Differences,
    TimeSpan Elapsed,
    bool ServerDigests,
    bool Truncated = false)
{
    /// <summary>Whether the target holds what the source holds (as compared).</summary>
    public bool Equal => Differences.Count == 0;

    /// <summary>Keys compared, target-only keys included.</summary>
    public long KeysCompared => Compared + Count(DifferenceKind.ExtraOnTarget);

    /// <summary>Compared keys found equal.</summary>
    public long EqualKeys => KeysCompared - Differences.Count;

    /// <summary>Final differences of <paramref name="kind"/>.</summary>
    public long Count(DifferenceKind kind) => Differences.Count(d => d.Kind == kind);

    /// <summary>Source keys compared per second.</summary>
    public double KeysPerSecond => Elapsed.TotalSeconds > 0 ? Compared / Elapsed.TotalSeconds : 0;
}
