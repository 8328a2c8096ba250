namespace Shake.Core.Verification.Model;

/// <summary>A key that differs after the last round, with what each side holds.</summary>
/// <param name="SourceDb">The source database (-1 when the key was found only on the target and no source db holds it).</param>
/// <param name="TargetDb">The target database the configuration maps it to.</param>
/// <param name="Key">The key bytes.</param>
/// <param name="Kind">How it differs.</param>
/// <param name="Source">What the source holds.</param>
/// <param name="Target">What the target holds.</param>
/// <param name="SourceLength">Length of the source value (bytes for strings, elements otherwise); -1 when unknown or missing.</param>
/// <param name="TargetLength">Length of the target value; -1 when unknown or missing.</param>
public sealed record KeyDifference(int SourceDb, int TargetDb, byte[] Key, DifferenceKind Kind, KeyState Source, KeyState Target, long SourceLength = -1, long TargetLength = -1);
