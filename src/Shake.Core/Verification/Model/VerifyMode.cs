namespace Shake.Core.Verification.Model;

/// <summary>Which source keys are compared.</summary>
public enum VerifyMode
{
    /// <summary>Every key.</summary>
    Complete,
    /// <summary>About <see cref="VerifyOptions.SampleCount"/> keys spread over the keyspace.</summary>
    SampleCount,
    /// <summary>About <see cref="VerifyOptions.SamplePercent"/> percent of the keys.</summary>
    SamplePercent,
}
