namespace Shake.Core.Engine;

/// <summary>What a finished run did.</summary>
/// <param name="Final">The statistics at the end.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record EngineSummary(EngineSnapshot Final, TimeSpan Elapsed)
{
    /// <summary>The first keys that failed (up to <see cref="FailedKeyLog.Capacity"/>), each with its reason.</summary>
    public IReadOnlyList<string> FirstFailedKeys { get; init; } = [];

    /// <summary>One line for logs: keys applied (restored or set, converted, replaced), skipped, failed, commands forwarded.</summary>
    public override string ToString() =>
        $"keys applied={Final.KeysWritten} (restored or set {Final.KeysApplied}, converted {Final.KeysConverted}, replaced {Final.KeysReplaced}), skipped={Final.KeysSkippedExpired + Final.KeysSkippedExisting} " +
        $"(expired {Final.KeysSkippedExpired}, existing {Final.KeysSkippedExisting}), errors={Final.KeysFailed + Final.CommandsFailed}, " +
        $"commands forwarded={Final.CommandsForwarded}, functions={Final.FunctionsLoaded}, scripts={Final.ScriptsLoaded}, in {Elapsed.TotalSeconds:F1} s";
}
