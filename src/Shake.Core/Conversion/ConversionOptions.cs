namespace Shake.Core.Conversion;

/// <summary>How <see cref="PlainCommandConverter"/> sizes the commands it writes.</summary>
public sealed record ConversionOptions
{
    /// <summary>
    /// Largest command (encoded arguments) a batch of elements may fill, below the target's bulk limit. Small batches
    /// keep the target's query buffer and per-command latency low; large ones save round trips. Default 1 MiB, which
    /// is also the smallest <c>client-query-buffer-limit</c> a server accepts.
    /// </summary>
    public int MaxCommandBytes { get; init; } = 1 << 20;
}
