namespace Shake.Core.Checkpoints;

/// <summary>
/// This sync's source is the target of a running sync whose source is this sync's target: each would copy the other's
/// writes back. Thrown at start, before anything is written.
/// </summary>
public sealed class OppositeSyncException(string message) : InvalidOperationException(message);

/// <summary>The target holds keys before a full sync and <c>target_must_be_empty</c> is set.</summary>
public sealed class TargetNotEmptyException(string message) : InvalidOperationException(message);
