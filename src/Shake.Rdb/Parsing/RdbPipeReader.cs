using System.IO.Pipelines;

namespace Shake.Rdb.Parsing;

/// <summary>Drives an <see cref="RdbParser{THandler}"/> from a <see cref="PipeReader"/> (a socket or a file).</summary>
public static class RdbPipeReader
{
    /// <summary>
    /// Reads until the RDB ends (or the handler stops), feeding the parser as bytes arrive. Bytes after the RDB
    /// (e.g. the AOF tail of a preamble file, or the next replication data) are left unconsumed in the reader.
    /// Throws <see cref="RdbFormatException"/> when the input is not a valid RDB or ends too early.
    /// </summary>
    public static async ValueTask<RdbParseStatus> ParseAsync<THandler>(PipeReader reader, RdbParser<THandler> parser, CancellationToken cancellation = default)
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
            try
            {
                status = parser.Parse(buffer, result.IsCompleted, out var consumed, out var examined);
                long remaining = buffer.Slice(consumed).Length;
                reader.AdvanceTo(consumed, examined);
                if (status != RdbParseStatus.NeedMoreData) return status;
                retryAt = Math.Max(remaining * 2, remaining + 1);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
        }
    }

    /// <summary>Parses a whole file (or stdin when <paramref name="path"/> is <c>-</c>) with <paramref name="parser"/>.</summary>
    public static async ValueTask<RdbParseStatus> ParseFileAsync<THandler>(string path, RdbParser<THandler> parser, CancellationToken cancellation = default)
        where THandler : IRdbHandler
    {
        Stream stream = path == "-"
            ? Console.OpenStandardInput()
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024, leaveOpen: true));
            try
            {
                return await ParseAsync(reader, parser, cancellation).ConfigureAwait(false);
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }
}
