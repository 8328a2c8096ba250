using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Shake.Core.Spool;

/// <summary>
/// A FIFO of bytes in a series of files: one appender, one reader, files deleted as soon as they are read. Each
/// <see cref="Append(ReadOnlySpan{byte})"/> goes whole into one file (a new file starts once the current one reached the file size), so a
/// record written in one call never spans two files.
/// I/O is synchronous: spooled data is written and soon read back through the page cache, which takes less time than
/// the thread-pool hop an asynchronous file call costs on Linux (a full sync spools thousands of chunks).
/// </summary>
internal sealed class SpoolFiles : ISpoolStorage
{
    private readonly string _directory;
    private readonly long _fileSize;
    private readonly Dictionary<long, SafeFileHandle> _readHandles = [];
    private SafeFileHandle? _writeHandle;
    private long _writeIndex = -1;
    private long _writeLength;
    private long _readIndex;
    private long _readPosition;
    private long _readEnd = -1;

    public SpoolFiles(string directory, long fileSize)
    {
        _directory = directory;
        _fileSize = fileSize;
    }

    private string PathOf(long index) => Path.Combine(_directory, $"spool-{index:D8}.bin");

    /// <inheritdoc />
    public long Append(in ReadOnlySequence<byte> data)
    {
        long stored = 0;
        foreach (var segment in data) stored += Append(segment.Span);
        return stored;
    }

    /// <summary>Appends bytes to the current file as one record (never split across files); returns their length.</summary>
    public long Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return 0;
        if (_writeHandle is null || _writeLength >= _fileSize)
        {
            _writeHandle?.Dispose();
            if (_writeIndex < 0) Directory.CreateDirectory(_directory);
            _writeIndex++;
            _writeHandle = File.OpenHandle(PathOf(_writeIndex), FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            _writeLength = 0;
        }
        RandomAccess.Write(_writeHandle, data, _writeLength);
        _writeLength += data.Length;
        return data.Length;
    }

    /// <inheritdoc />
    public (long Index, long Length) WriteCursor => (_writeIndex, _writeLength);

    /// <inheritdoc />
    public int Read(Span<byte> destination, (long Index, long Length) readable, out long storedBytes)
    {
        var read = Read(destination, readable);
        storedBytes = read;
        return read;
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes below <paramref name="readable"/>, all from one file.</summary>
    public int Read(Span<byte> destination, (long Index, long Length) readable)
    {
        while (true)
        {
            if (_readIndex > readable.Index) return 0;
            if (!_readHandles.TryGetValue(_readIndex, out var handle))
            {
                handle = File.OpenHandle(PathOf(_readIndex), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _readHandles[_readIndex] = handle;
            }
            // A file before the one being appended to is complete: the appender moved on after its last write.
            if (_readIndex < readable.Index && _readEnd < 0) _readEnd = RandomAccess.GetLength(handle);
            var end = _readIndex < readable.Index ? _readEnd : readable.Length;
            if (_readPosition >= end)
            {
                if (_readIndex == readable.Index) return 0;
                // Finished an earlier file: nobody needs it again.
                if (_readHandles.Remove(_readIndex, out var done)) done.Dispose();
                File.Delete(PathOf(_readIndex));
                _readIndex++;
                _readPosition = 0;
                _readEnd = -1;
                continue;
            }
            var want = (int)Math.Min(destination.Length, end - _readPosition);
            var read = RandomAccess.Read(handle, destination[..want], _readPosition);
            if (read <= 0) throw new IOException($"spool file {PathOf(_readIndex)} is shorter than written ({_readPosition} of {end} bytes)");
            _readPosition += read;
            return read;
        }
    }

    /// <summary>
    /// Reads exactly <paramref name="destination"/>.Length bytes of one record appended below <paramref name="readable"/>;
    /// false when nothing is readable. A record cut short is an <see cref="IOException"/>.
    /// </summary>
    public bool ReadRecordPart(Span<byte> destination, (long Index, long Length) readable, bool atRecordStart)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = Read(destination[total..], readable);
            if (read == 0)
            {
                if (total == 0 && atRecordStart) return false;
                throw new IOException($"spool file {PathOf(_readIndex)} ends inside a record ({total} of {destination.Length} bytes)");
            }
            total += read;
        }
        return true;
    }

    public void Dispose()
    {
        _writeHandle?.Dispose();
        foreach (var h in _readHandles.Values) h.Dispose();
        _readHandles.Clear();
        try
        {
            if (Directory.Exists(_directory))
                foreach (var f in Directory.EnumerateFiles(_directory, "spool-*.bin")) File.Delete(f);
        }
        catch (IOException) { }
    }
}
