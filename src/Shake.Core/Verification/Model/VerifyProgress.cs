namespace Shake.Core.Verification.Model;

/// <summary>Where a verification stands, reported every <see cref="VerifyOptions.ProgressInterval"/>.</summary>
/// <param name="Phase"><c>source</c> (comparing source keys), <c>target</c> (looking for keys only on the target) or <c>round N</c>.</param>
/// <param name="SourceKeys">Source keys scanned (and sampled) so far.</param>
/// <param name="Compared">Keys compared so far (source keys the configuration carries, and target keys checked).</param>
/// <param name="Different">Differences found so far, before re-checks.</param>
/// <param name="Elapsed">Time since the start.</param>
public sealed record VerifyProgress(string Phase, long SourceKeys, long Compared, long Different, TimeSpan Elapsed)
{
    /// <summary>Keys compared per second since the start.</summary>
    public double KeysPerSecond => Elapsed.TotalSeconds > 0 ? Compared / Elapsed.TotalSeconds : 0;
}
