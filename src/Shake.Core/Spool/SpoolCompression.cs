namespace Shake.Core.Spool;

/// <summary>How a <see cref="ByteSpool"/> stores the data it writes to its overflow files.</summary>
public enum SpoolCompression
{
    /// <summary>Bytes are written as they arrive.</summary>
    None,
    /// <summary>Bytes are written as LZ4 blocks of up to 64 KB each (stored as they are when LZ4 would not shrink them).</summary>
    Lz4,
}
