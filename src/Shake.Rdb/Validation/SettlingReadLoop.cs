using System.IO.Pipelines;
using Shake.Rdb.Parsing;

namespace Shake.Rdb.Validation;

/// <summary>
/// The read loop of the whole-file pass: feeds the parser as <see cref="RdbPipeReader"/> does, but keeps the input of
/// the batch parsed last buffered while the next one is read and parsed, and settles a batch only then. Its values are
/// validated on the workers in the meantime, so settling seldom waits, and reads can stay small enough for the
/// parser's core to keep them in its cache.
/// </summary>
internal static class SettlingReadLoop
{
    // Largest batch kept buffered for the next parse call: four reads of a file.
    private const long MaxHeldBatch = 4 * RdbPipeReader.FileReadSize;

    /// <summary>
    /// Parses <paramref name="reader"/> to the end of the RDB (or until the handler stops), settling each batch of
    /// <paramref name="workers"/> once the next was parsed, and all of them at the end or at a fault (so that a corrupt
    /// value is reported before a parse error after it). <paramref name="afterBatch"/> is called after each parse call
    /// and once more at the end; each call vouches for the entries handed over before the previous call.
    /// </summary>
    public static async ValueTask<RdbParseStatus> RunAsync<THandler>(PipeReader reader, RdbParser<THandler> parser, ValidationWorkers workers,
        Func<CancellationToken, ValueTask>? afterBatch, CancellationToken cancellation)
        where THandler : IRdbHandler
    {
        // Absolute offsets in the RDB: where the reader's buffer starts, and where the parser goes on.
        long held = parser.BytesConsumed;
        long retryAt = 0;
        while (true)
        {
            var result = await reader.ReadAsync(cancellation).ConfigureAwait(false);
            var buffer = result.Buffer;
            long parsedFrom = parser.BytesConsumed;
            var unparsed = buffer.Slice(parsedFrom - held);
            if (!result.IsCompleted && unparsed.Length < retryAt)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            RdbParseStatus status;
            SequencePosition examined;
            try
            {
                status = parser.Parse(unparsed, result.IsCompleted, out _, out examined);
            }
            catch
            {
                // A fault of a value handed over before lies earlier in the file: that one is reported.
                try
                {
                    workers.SettleAll();
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
                throw;
            }
            bool more = status == RdbParseStatus.NeedMoreData;
            long parsed = parser.BytesConsumed;
            // The batch just parsed stays buffered until it is settled, after the next parse call; unless it left
            // nothing to settle, or it is large (a big value): holding it while the next reads arrive would take
            // buffers beyond what the pool keeps.
            bool hold = more && workers.LatestBatchHasWork && parsed - parsedFrom <= MaxHeldBatch;
            try
            {
                if (hold) workers.SettleEarlier();
                else workers.SettleAll();
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            long keepFrom = hold ? parsedFrom : parsed;
            // Read before the buffer is given back: the reader may reuse its pieces.
            long remaining = unparsed.Length - (parsed - parsedFrom);
            reader.AdvanceTo(buffer.GetPosition(keepFrom - held), examined);
            held = keepFrom;
            if (afterBatch is not null) await afterBatch(cancellation).ConfigureAwait(false);
            if (!more)
            {
                if (afterBatch is not null) await afterBatch(cancellation).ConfigureAwait(false);
                return status;
            }
            retryAt = RdbPipeReader.NextAttemptAt(remaining);
        }
    }
}
