namespace Shake.Core.Spool;

/// <summary>Limits of a <see cref="ByteSpool"/>: how much it holds in memory before overflowing to files, and how much disk it may use.</summary>
/// <param name="Directory">Folder for the overflow files; created when first needed and removed on dispose.</param>
/// <param name="MemoryLimitBytes">Bytes held in memory before new data goes to disk.</param>
/// <param name="DiskLimitBytes">
/// Bytes the overflow files may take (after compression); past this the spool refuses data with <see cref="SpoolFullException"/>.
/// </param>
/// <param name="FileSizeBytes">Size at which an overflow file is closed and the next one started, so consumed files can be deleted early.</param>
/// <param name="ReaderBufferBytes">Bytes the consumer-facing pipe holds before the spool stops feeding it.</param>
/// <param name="Compression">How data is stored in the overflow files.</param>
public sealed record SpoolOptions(
    string Directory,
    long MemoryLimitBytes = 64L << 20,
    long DiskLimitBytes = 16L << 30,
    long FileSizeBytes = 64L << 20,
    long ReaderBufferBytes = 4L << 20,
    SpoolCompression Compression = SpoolCompression.None);
