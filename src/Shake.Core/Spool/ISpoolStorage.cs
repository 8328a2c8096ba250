using System.Buffers;

namespace Shake.Core.Spool;

/// <summary>
/// The on-disk FIFO behind a <see cref="ByteSpool"/>: one appender, one reader. Not thread-safe by itself: the spool
/// hands the <see cref="WriteCursor"/> from appender to reader under its lock, and the reader never reads past it.
/// </summary>
internal interface ISpoolStorage : IDisposable
{
    /// <summary>Appends bytes; returns how many bytes they take in the files.</summary>
    long Append(in ReadOnlySequence<byte> data);

    /// <summary>Where appended data ends: index of the file being appended to and its length.</summary>
    (long Index, long Length) WriteCursor { get; }

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes of the data appended below <paramref name="readable"/>
    /// (a <see cref="WriteCursor"/> captured under the spool's lock); 0 when there is none. <paramref name="storedBytes"/>
    /// is how many bytes of the files this read used up.
    /// </summary>
    int Read(Span<byte> destination, (long Index, long Length) readable, out long storedBytes);
}
