namespace Shake.Core.Spool;

/// <summary>The spool reached its disk limit: the consumer (the target) falls behind the producer (the source) by more than the configured bound.</summary>
public sealed class SpoolFullException : Exception
{
    /// <summary>Creates the exception naming the directory and the limit.</summary>
    public SpoolFullException(string directory, long limitBytes)
        : base($"the disk spool under '{directory}' reached its limit of {limitBytes} bytes (advanced.spool_disk_limit_mb): the target cannot keep up with the source")
    {
        Directory = directory;
        LimitBytes = limitBytes;
    }

    /// <summary>The spool directory.</summary>
    public string Directory { get; }

    /// <summary>The disk limit that was reached.</summary>
    public long LimitBytes { get; }
}
