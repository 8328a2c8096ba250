using Microsoft.Win32.SafeHandles;

namespace Shake.Core.Spool;

/// <summary>
/// A FIFO of bytes in a series of files: one appender, one reader, files deleted as soon as they are read.
/// Not thread-safe by itself: <see cref="ByteSpool"/> publishes lengths between appender and reader under its lock.
/// I/O is synchronous: spooled data is written and soon read back through the page cache, which takes less time than
/// the thread-pool hop an asynchronous file call costs on Linux (a full sync spools thousands of chunks).
/// </summary>
internal sealed class SpoolFiles : IDisposable
{
    private readonly string _directory;
    private readonly long _fileSize;
    private readonly Dictionary<long, SafeFileHandle> _readHandles = [];
    private SafeFileHandle? _writeHandle;
    private long _writeIndex = -1;
    private long _writeLength;
    private long _readIndex;
    private long _readPosition;

    public SpoolFiles(string directory, long fileSize)
    {
        _directory = directory;
        _fileSize = fileSize;
    }

    private string PathOf(long index) => Path.Combine(_directory, $"spool-{index:D8}.bin");

    /// <summary>Appends bytes to the current file, starting a new file when it is full. Returns the file index written last.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_writeHandle is null || _writeLength >= _fileSize)
            {
                _writeHandle?.Dispose();
                if (_writeIndex < 0) Directory.CreateDirectory(_directory);
                _writeIndex++;
                _writeHandle = File.OpenHandle(PathOf(_writeIndex), FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                _writeLength = 0;
            }
            var take = (int)Math.Min(data.Length, _fileSize - _writeLength);
            RandomAccess.Write(_writeHandle, data[..take], _writeLength);
            _writeLength += take;
            data = data[take..];
        }
    }

    /// <summary>Index of the file being appended to and its length; the reader may read up to there.</summary>
    public (long Index, long Length) WriteCursor => (_writeIndex, _writeLength);

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes below <paramref name="readable"/> (a write cursor captured under the spool's lock).</summary>
    public int Read(Span<byte> destination, (long Index, long Length) readable)
    {
        while (true)
        {
            if (_readIndex > readable.Index) return 0;
            var end = _readIndex < readable.Index ? _fileSize : readable.Length;
            if (_readPosition >= end)
            {
                if (_readIndex == readable.Index) return 0;
                // Finished an earlier file: the appender has moved on, so nobody needs it again.
                if (_readHandles.Remove(_readIndex, out var done)) done.Dispose();
                File.Delete(PathOf(_readIndex));
                _readIndex++;
                _readPosition = 0;
                continue;
            }
            if (!_readHandles.TryGetValue(_readIndex, out var handle))
            {
                handle = File.OpenHandle(PathOf(_readIndex), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _readHandles[_readIndex] = handle;
            }
            var want = (int)Math.Min(destination.Length, end - _readPosition);
            var read = RandomAccess.Read(handle, destination[..want], _readPosition);
            if (read <= 0) throw new IOException($"spool file {PathOf(_readIndex)} is shorter than written ({_readPosition} of {end} bytes)");
            _readPosition += read;
            return read;
        }
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
