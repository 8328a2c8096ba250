using System.IO.Pipelines;

namespace Shake.Rdb.Parsing;

/// <summary>Drives an <see cref="RdbParser{THandler}"/> from a <see cref="PipeReader"/> (a socket or a file).</summary>
public static class RdbPipeReader
{
    /// <summary>
    /// Bytes a file is read in (the pipe's buffer size; a read is at least a quarter of it): what a parse on one core
    /// reads while it is still in that core's own cache.
    /// </summary>
    public const int FileReadSize = 256 * 1024;

    /// <summary>
    /// Reads until the RDB ends (or the handler stops), feeding the parser as bytes arrive. Bytes after the RDB
    /// (e.g. the AOF tail of a preamble file, or the next replication data) are left unconsumed in the reader.
    /// Throws <see cref="RdbFormatException"/> when the input is not a valid RDB or ends too early.
    /// <paramref name="afterBatch"/>, when given, runs after each batch of parsed items (before reading more): the place
    /// for a handler that buffered output to flush it, which also applies the consumer's backpressure to the reading.
    /// </summary>
    public static async ValueTask<RdbParseStatus> ParseAsync<THandler>(PipeReader reader, RdbParser<THandler> parser, CancellationToken cancellation = default,
        Func<CancellationToken, ValueTask>? afterBatch = null)
        where THandler : IRdbHandler
    {
        // When an item is incomplete, the next attempt re-walks it from its start. Waiting until the buffered
        // remainder has doubled keeps that re-walking linear in the item's size even for huge collections.
        long retryAt = 0;
        while (true)
        {
            var result = await reader.ReadAsync(cancellation).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!result.IsCompleted && buffer.Length < retryAt)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            RdbParseStatus status;
            SequencePosition consumed, examined;
            try
            {
                status = parser.Parse(buffer, result.IsCompleted, out consumed, out examined);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            long remaining = buffer.Slice(consumed).Length;
            reader.AdvanceTo(consumed, examined);
            if (afterBatch is not null) await afterBatch(cancellation).ConfigureAwait(false);
            if (status != RdbParseStatus.NeedMoreData) return status;
            retryAt = NextAttemptAt(remaining);
        }
    }

    /// <summary>Buffered bytes to wait for before an incomplete item of <paramref name="remaining"/> bytes is walked again.</summary>
    internal static long NextAttemptAt(long remaining) => Math.Max(remaining * 2, remaining + 1);

    /// <summary>Parses a whole file (or stdin when <paramref name="path"/> is <c>-</c>) with <paramref name="parser"/>.</summary>
    public static ValueTask<RdbParseStatus> ParseFileAsync<THandler>(string path, RdbParser<THandler> parser, CancellationToken cancellation = default,
        Func<CancellationToken, ValueTask>? afterBatch = null)
        where THandler : IRdbHandler => ReadFileAsync(path, reader => ParseAsync(reader, parser, cancellation, afterBatch));

    /// <summary>
    /// Runs <paramref name="read"/> over a reader of the file at <paramref name="path"/> (<c>-</c>: standard input) in
    /// pieces of <see cref="FileReadSize"/>, and closes both afterwards.
    /// </summary>
    internal static async ValueTask<T> ReadFileAsync<T>(string path, Func<PipeReader, ValueTask<T>> read)
    {
        var stream = OpenFile(path);
        await using (stream.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: FileReadSize, minimumReadSize: FileReadSize / 4, leaveOpen: true));
            try
            {
                return await read(reader).ConfigureAwait(false);
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    // The file at path, or standard input for "-".
    private static Stream OpenFile(string path) =>
        // A file is read in place (see SynchronousStream); standard input may be a slow pipe, so it stays asynchronous.
        path == "-"
            ? Console.OpenStandardInput()
            : new SynchronousStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan));
}
