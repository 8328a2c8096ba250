namespace Shake.Core.Sentinel;

/// <summary>No sentinel named the master: every sentinel tried, and why it did not answer.</summary>
public sealed class SentinelException(string message) : Exception(message);
