using System.Buffers;
using System.IO.Pipelines;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Rdb.Validation;

/// <summary>What a validation pass over a whole RDB found: a valid file's entry count and size.</summary>
/// <param name="Entries">Keys in the file.</param>
/// <param name="Bytes">Bytes of the RDB (up to its checksum).</param>
public readonly record struct RdbFileValidation(long Entries, long Bytes);

/// <summary>
/// Reads a whole RDB once, checksum verified and every value deep-validated, writing nothing: the pass that lets a
/// restore refuse a corrupt file before its first write, and the one the validating <c>shake rdb</c> commands read in.
/// Values are validated, and the checksum folded, on the machine's spare cores (at most three) while the next ones are
/// read and framed; the verdict and the error are the same as a parse with <see cref="RdbParserOptions.ValidateValues"/>
/// on one core.
/// </summary>
public static class RdbFileValidator
{
    /// <summary>
    /// Validates the file at <paramref name="path"/> (<c>-</c>: standard input); throws <see cref="RdbFormatException"/>
    /// at the first problem, naming the key, its type and the absolute byte offset when a value is corrupt.
    /// </summary>
    public static Task<RdbFileValidation> ValidateAsync(string path, CancellationToken cancellation) =>
        ValidateAsync(path, new NoHandler(), cancellation);

    /// <summary>
    /// Validates the file at <paramref name="path"/> (<c>-</c>: standard input) as
    /// <see cref="ValidateAsync(string, CancellationToken)"/> does, handing every item to <paramref name="handler"/> as it
    /// is read. An entry may reach the handler before its value's validation has ended: the handler must not act on an
    /// entry (write it out, send it) before it is vouched for. <paramref name="afterBatch"/> (when given) is called after
    /// each read of the file was parsed and once more at the end; each call vouches for the entries handed over before
    /// the previous call. Once this call returned, every entry is vouched for.
    /// </summary>
    public static Task<RdbFileValidation> ValidateAsync<THandler>(string path, THandler handler, CancellationToken cancellation,
        Func<CancellationToken, ValueTask>? afterBatch = null)
        where THandler : IRdbHandler =>
        RdbPipeReader.ReadFileAsync(path, reader => new ValueTask<RdbFileValidation>(
            RunAsync(reader, handler, ValidationWorkers.DefaultCount, afterBatch, cancellation))).AsTask();

    /// <summary>
    /// <see cref="ValidateAsync{THandler}(string, THandler, CancellationToken, Func{CancellationToken, ValueTask}?)"/> over <paramref name="reader"/>, with
    /// <paramref name="workers"/> validation threads (0: everything on the caller's thread; null: one per spare core, at
    /// most three). The reader is read up to the end of the RDB, not completed.
    /// </summary>
    public static Task<RdbFileValidation> ValidateAsync<THandler>(PipeReader reader, THandler handler, int? workers, CancellationToken cancellation)
        where THandler : IRdbHandler =>
        RunAsync(reader, handler, workers ?? ValidationWorkers.DefaultCount, afterBatch: null, cancellation);

    private static async Task<RdbFileValidation> RunAsync<THandler>(PipeReader reader, THandler handler, int workers,
        Func<CancellationToken, ValueTask>? afterBatch, CancellationToken cancellation)
        where THandler : IRdbHandler
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        var counter = new EntryCounter<THandler>(handler);
        if (workers == 0)
        {
            // One thread: each value validated in the walk that frames it, before its entry is handed over.
            using var serial = new RdbParser<EntryCounter<THandler>>(counter, new RdbParserOptions { ValidateValues = true });
            await RdbPipeReader.ParseAsync(reader, serial, cancellation, afterBatch).ConfigureAwait(false);
            if (afterBatch is not null) await afterBatch(cancellation).ConfigureAwait(false);
            return new RdbFileValidation(serial.Handler.Entries, serial.BytesConsumed);
        }
        using var validation = new ValidationWorkers(workers);
        using var parser = new RdbParser<EntryCounter<THandler>>(counter, new RdbParserOptions(), validation);
        await SettlingReadLoop.RunAsync(reader, parser, validation, afterBatch, cancellation).ConfigureAwait(false);
        return new RdbFileValidation(parser.Handler.Entries, parser.BytesConsumed);
    }

    // Counts the entries on the way to the caller's handler.
    private struct EntryCounter<THandler>(THandler inner) : IRdbHandler where THandler : IRdbHandler
    {
        private THandler _inner = inner;
        public long Entries;

        public void OnHeader(int version, RdbMagicKind magic) => _inner.OnHeader(version, magic);

        public void OnAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => _inner.OnAux(key, value);

        public void OnSelectDb(int db) => _inner.OnSelectDb(db);

        public void OnResizeDb(ulong keys, ulong expires) => _inner.OnResizeDb(keys, expires);

        public void OnFunction(ReadOnlySpan<byte> code) => _inner.OnFunction(code);

        public void OnModuleAux(ulong moduleId, in ReadOnlySequence<byte> raw) => _inner.OnModuleAux(moduleId, raw);

        public bool OnEntry(in RdbEntry entry)
        {
            Entries++;
            return _inner.OnEntry(entry);
        }

        // The pass holds every value whole (no large-value threshold): never called.
        public IRdbValueVisitor? OnLargeEntryStart(in RdbEntry entry) => null;

        public bool OnLargeEntryEnd() => true;

        public void OnEnd(bool checksumPresent, bool checksumVerified) => _inner.OnEnd(checksumPresent, checksumVerified);
    }

    private struct NoHandler : IRdbHandler
    {
        public void OnHeader(int version, RdbMagicKind magic)
        {
        }

        public void OnAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
        }

        public void OnSelectDb(int db)
        {
        }

        public void OnResizeDb(ulong keys, ulong expires)
        {
        }

        public void OnFunction(ReadOnlySpan<byte> code)
        {
        }

        public void OnModuleAux(ulong moduleId, in ReadOnlySequence<byte> raw)
        {
        }

        public bool OnEntry(in RdbEntry entry) => true;

        public void OnEnd(bool checksumPresent, bool checksumVerified)
        {
        }
    }
}
