using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace Shake.Core.Spool;

/// <summary>
/// A byte FIFO between a producer that must never wait (the source socket) and a consumer that may be slow (the target).
/// Data is kept in memory up to <see cref="SpoolOptions.MemoryLimitBytes"/>, then appended to files under
/// <see cref="SpoolOptions.Directory"/> up to <see cref="SpoolOptions.DiskLimitBytes"/>; the consumer reads everything
/// back in order through <see cref="Reader"/>. Once data goes to disk, later data follows it there until the consumer
/// has caught up, so order is kept.
/// </summary>
public sealed class ByteSpool : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly SpoolOptions _options;
    private readonly ISpoolStorage _files;
    private readonly Pipe _out;
    // Synchronous continuations and an inline reader scheduler let bytes that arrive while nothing is queued go from the
    // socket read to the consumer on one thread: each thread-pool hop costs replication lag on a busy machine. The
    // producer still never waits for the consumer: the consumer runs only until it has to wait itself.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, AllowSynchronousContinuations = true });
    private readonly Lock _gate = new();
    private readonly Queue<MemoryChunk> _memory = new();
    private MemoryChunk? _tail;
    private (long Index, long Length) _committedCursor = (-1, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _feeder;
    private long _memoryBytes;
    private long _diskBytes;
    private long _totalDiskBytes;
    private long _diskFileBytes;
    private long _totalDiskFileBytes;
    private bool _diskMode;
    private bool _appending;
    private bool _completed;
    private Exception? _completion;

    /// <summary>Creates the spool and starts feeding <see cref="Reader"/>.</summary>
    public ByteSpool(SpoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MemoryLimitBytes < 0 || options.DiskLimitBytes < 0 || options.FileSizeBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), "spool limits must be non-negative and the file size positive");
        _options = options;
        _files = options.Compression switch
        {
            SpoolCompression.None => new SpoolFiles(options.Directory, options.FileSizeBytes),
            SpoolCompression.Lz4 => new Lz4SpoolFiles(options.Directory, options.FileSizeBytes),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"unknown spool compression {options.Compression}"),
        };
        _out = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, pauseWriterThreshold: options.ReaderBufferBytes, resumeWriterThreshold: options.ReaderBufferBytes / 2, useSynchronizationContext: false));
        _feeder = Task.Run(FeedAsync);
    }

    /// <summary>The consumer side: every byte written, in order; completes after <see cref="Complete"/> once everything is read.</summary>
    public PipeReader Reader => _out.Reader;

    /// <summary>Bytes waiting in memory (not yet handed to <see cref="Reader"/>).</summary>
    public long MemoryBytes => Interlocked.Read(ref _memoryBytes);

    /// <summary>Bytes of data waiting on disk (as written to the spool, before any compression).</summary>
    public long DiskBytes => Interlocked.Read(ref _diskBytes);

    /// <summary>Bytes ever written to disk (a sign the target was slower than the source at some point), before compression.</summary>
    public long TotalDiskBytes => Interlocked.Read(ref _totalDiskBytes);

    /// <summary>
    /// Bytes the spool files take for the data waiting on disk: <see cref="DiskBytes"/> after compression. The disk
    /// limit applies to this figure.
    /// </summary>
    public long DiskFileBytes => Interlocked.Read(ref _diskFileBytes);

    /// <summary>Bytes ever written to the spool files, after compression; against <see cref="TotalDiskBytes"/> it gives the disk saved.</summary>
    public long TotalDiskFileBytes => Interlocked.Read(ref _totalDiskFileBytes);

    /// <summary>
    /// Takes <paramref name="data"/> without waiting for the consumer (only for a disk write, through the page cache,
    /// when memory is full, compressed first when <see cref="SpoolOptions.Compression"/> says so). Throws
    /// <see cref="SpoolFullException"/> when the disk limit would be passed: the files' size so far plus
    /// <paramref name="data"/> uncompressed, the most it can take; <see cref="SpoolStorageException"/> when the files
    /// cannot be written (disk full).
    /// </summary>
    public void Write(in ReadOnlySequence<byte> data)
    {
        if (data.IsEmpty) return;
        bool toDisk;
        lock (_gate)
        {
            if (_completed) throw new InvalidOperationException("the spool was completed; no more data can be written");
            toDisk = _diskMode || _memoryBytes + data.Length > _options.MemoryLimitBytes;
            if (toDisk)
            {
                if (_diskFileBytes + data.Length > _options.DiskLimitBytes) throw new SpoolFullException(_options.Directory, _options.DiskLimitBytes);
                _diskMode = true;
                _appending = true;
            }
            else
            {
                CopyToMemory(data);
            }
        }
        if (toDisk)
        {
            long stored;
            try
            {
                stored = _files.Append(data);
            }
            catch (IOException e)
            {
                // Nothing of this block counts as spooled: the reader stops at the last whole append.
                lock (_gate) _appending = false;
                throw new SpoolStorageException(_options.Directory, DiskBytes + data.Length, e);
            }
            lock (_gate)
            {
                _appending = false;
                _committedCursor = _files.WriteCursor;
                _diskBytes += data.Length;
                _totalDiskBytes += data.Length;
                _diskFileBytes += stored;
                _totalDiskFileBytes += stored;
            }
        }
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Takes one block of bytes (convenience for tests and small writes).</summary>
    public void Write(ReadOnlyMemory<byte> data) => Write(new ReadOnlySequence<byte>(data));

    /// <summary>Marks the end of the data; <see cref="Reader"/> completes (with <paramref name="error"/> if given) after the last byte.</summary>
    public void Complete(Exception? error = null)
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
            _completion = error;
        }
        _wake.Writer.TryWrite(true);
    }

    private void CopyToMemory(ReadOnlySequence<byte> data)
    {
        // Fill the newest chunk first so many small socket reads don't each pin a 64 KB buffer.
        var reader = new SequenceReader<byte>(data);
        while (!reader.End)
        {
            if (_tail is null || _tail.Length == _tail.Buffer.Length)
            {
                _tail = new MemoryChunk(ArrayPool<byte>.Shared.Rent(ChunkSize));
                _memory.Enqueue(_tail);
            }
            var take = (int)Math.Min(_tail.Buffer.Length - _tail.Length, reader.Remaining);
            reader.TryCopyTo(_tail.Buffer.AsSpan(_tail.Length, take));
            reader.Advance(take);
            _tail.Length += take;
            _memoryBytes += take;
        }
    }

    private async Task FeedAsync()
    {
        var writer = _out.Writer;
        try
        {
            while (true)
            {
                MemoryChunk? chunk = null;
                var fromDisk = false;
                (long, long) readable = default;
                bool done;
                lock (_gate)
                {
                    if (_memory.Count > 0)
                    {
                        chunk = _memory.Dequeue();
                        if (ReferenceEquals(chunk, _tail)) _tail = null;
                    }
                    else if (_diskBytes > 0)
                    {
                        fromDisk = true;
                        readable = _committedCursor;
                    }
                    else if (_diskMode && !_appending)
                    {
                        // Caught up with the disk: new data may use memory again.
                        _diskMode = false;
                    }
                    done = chunk is null && !fromDisk && _completed && !_appending && _diskBytes == 0;
                }
                if (chunk is not null)
                {
                    writer.Write(chunk.Buffer.AsSpan(0, chunk.Length));
                    lock (_gate) _memoryBytes -= chunk.Length;
                    ArrayPool<byte>.Shared.Return(chunk.Buffer);
                    if ((await writer.FlushAsync(_stop.Token)).IsCompleted) return;
                    continue;
                }
                if (fromDisk)
                {
                    var read = _files.Read(writer.GetSpan(ChunkSize), readable, out var stored);
                    if (read > 0)
                    {
                        writer.Advance(read);
                        lock (_gate)
                        {
                            _diskBytes -= read;
                            _diskFileBytes -= stored;
                        }
                        if ((await writer.FlushAsync(_stop.Token)).IsCompleted) return;
                        continue;
                    }
                }
                if (done)
                {
                    await writer.CompleteAsync(_completion);
                    return;
                }
                await _wake.Reader.WaitToReadAsync(_stop.Token);
                _wake.Reader.TryRead(out _);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            await writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await writer.CompleteAsync(e);
        }
    }

    /// <summary>Stops feeding, returns memory and deletes the spool files.</summary>
    public async ValueTask DisposeAsync()
    {
        Complete();
        _stop.Cancel();
        try { await _feeder; } catch (OperationCanceledException) { }
        lock (_gate)
        {
            while (_memory.TryDequeue(out var chunk)) ArrayPool<byte>.Shared.Return(chunk.Buffer);
            _tail = null;
            _memoryBytes = 0;
        }
        _files.Dispose();
        try { if (Directory.Exists(_options.Directory) && !Directory.EnumerateFileSystemEntries(_options.Directory).Any()) Directory.Delete(_options.Directory); }
        catch (IOException) { }
        _stop.Dispose();
    }

    private sealed class MemoryChunk(byte[] buffer)
    {
        public byte[] Buffer { get; } = buffer;
        public int Length { get; set; }
    }
}
