using System.Globalization;
using Shake.Core.Verification.Model;

namespace Shake.Host.Commands.Verify;

/// <summary>The human-readable lines of a verification: progress while it runs, the summary at the end.</summary>
public static class VerifySummary
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One progress line.</summary>
    public static string Progress(VerifyProgress progress) => string.Create(Invariant,
        $"shake verify: {progress.Phase}: {progress.SourceKeys:N0} source keys scanned, {progress.Compared:N0} compared ({progress.KeysPerSecond:N0} keys/s), {progress.Different:N0} different so far, {progress.Elapsed.TotalSeconds:0.0} s");

    /// <summary>The summary block.</summary>
    public static IEnumerable<string> Lines(VerifyResult result, string reportPath)
    {
        yield return string.Create(Invariant, $"keys compared:           {result.KeysCompared:N0} ({result.Compared:N0} from the source, {result.Count(DifferenceKind.ExtraOnTarget):N0} only on the target) in {result.Elapsed.TotalSeconds:0.0} s, {result.KeysPerSecond:N0} keys/s");
        yield return string.Create(Invariant, $"equal:                   {result.EqualKeys:N0}");
        yield return string.Create(Invariant, $"missing on target:       {result.Count(DifferenceKind.MissingOnTarget):N0}");
        yield return string.Create(Invariant, $"extra on target:         {result.Count(DifferenceKind.ExtraOnTarget):N0}");
        yield return string.Create(Invariant, $"different type:          {result.Count(DifferenceKind.Type):N0}");
        yield return string.Create(Invariant, $"different value:         {result.Count(DifferenceKind.Value):N0}");
        yield return string.Create(Invariant, $"different ttl:           {result.Count(DifferenceKind.Ttl):N0}");
        if (result.Filtered > 0) yield return string.Create(Invariant, $"not carried (filters):   {result.Filtered:N0}");
        var firstPass = result.FirstPass.Values.Sum();
        yield return string.Create(Invariant, $"re-checks:               {result.Rounds} round{(result.Rounds == 1 ? "" : "s")}; the first pass found {firstPass:N0} difference{(firstPass == 1 ? "" : "s")}, {firstPass - result.Differences.Count:N0} resolved since");
        if (result.Truncated)
            yield return string.Create(Invariant, $"stopped early:           {result.Differences.Count:N0} keys differ, the most one run collects (--max-differences); the rest was not compared and nothing was re-checked");
        if (!result.ServerDigests) yield return "value digests:           computed by shake (DEBUG DIGEST-VALUE is not available on every node)";
        yield return string.Create(Invariant, $"report:                  {reportPath} ({result.Differences.Count:N0} line{(result.Differences.Count == 1 ? "" : "s")})");
        yield return result.Equal ? "RESULT: EQUAL" : string.Create(Invariant, $"RESULT: DIFFERENT ({result.Differences.Count:N0} key{(result.Differences.Count == 1 ? "" : "s")})");
    }
}
