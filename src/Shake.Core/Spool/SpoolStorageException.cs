namespace Shake.Core.Spool;

/// <summary>
/// The spool could not write its files (the disk under <c>dir</c> is full, read-only or failing). The data that did
/// not fit is not in the spool, so the run must stop: nothing after it can be applied in order.
/// </summary>
public sealed class SpoolStorageException : Exception
{
    /// <summary>Creates the exception naming the directory and the system's reason.</summary>
    public SpoolStorageException(string directory, long pendingBytes, Exception inner)
        : base($"could not write the disk spool under '{directory}' ({pendingBytes} bytes waiting for the target): {inner.Message}; free space under advanced.dir or lower advanced.spool_disk_limit_mb below what the disk holds", inner)
    {
        Directory = directory;
    }

    /// <summary>The spool directory.</summary>
    public string Directory { get; }
}
