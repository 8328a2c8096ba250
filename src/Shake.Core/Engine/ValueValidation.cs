namespace Shake.Core.Engine;

/// <summary>What <see cref="RdbApplier"/> does to check each value before writing it.</summary>
public enum ValueValidation
{
    /// <summary>No deep validation (a trusted live source).</summary>
    Off,

    /// <summary>A corrupt value is not written, counted as a failed key and named; the run goes on.</summary>
    RefuseKey,

    /// <summary>A corrupt value stops the run after the keys before it were written (an untrusted file).</summary>
    StopRun,
}
