using System.Globalization;
using System.Text;
using Shake.Core.Engine;

namespace Shake.Host.Running;

/// <summary>
/// Whether a run that finished by itself (restore mode, or a sync with <c>sync_aof = false</c>) must count as failed
/// because keys were not written, so that a script or a Kubernetes Job never sees success for a partial copy.
/// </summary>
public static class FailedKeysVerdict
{
    /// <summary>Null when the run may exit 0; otherwise the message for standard error: the count and the first keys.</summary>
    public static string? Describe(EngineOptions options, EngineSummary summary)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(summary);
        long failed = summary.Final.KeysFailed;
        if (failed == 0) return null;
        // A sync that streams on ends only when stopped; its failures were logged as they happened.
        if (options.Mode == EngineMode.Sync && options.SyncAof) return null;
        var what = options.Mode == EngineMode.Restore ? "restore" : "sync";
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"{what} incomplete: {failed} key{(failed == 1 ? "" : "s")} failed and {(failed == 1 ? "is" : "are")} missing on the target, which holds a partial copy ({summary.Final.KeysWritten} keys written)"));
        text.Append(summary.FirstFailedKeys.Count < failed ? $"; the first {summary.FirstFailedKeys.Count}:" : ":");
        foreach (var key in summary.FirstFailedKeys) text.Append("\n  ").Append(key);
        return text.ToString();
    }
}
