using System.Buffers;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Rdb.Validation;

/// <summary>What a validation pass over a whole RDB found: a valid file's entry count and size.</summary>
/// <param name="Entries">Keys in the file.</param>
/// <param name="Bytes">Bytes of the RDB (up to its checksum).</param>
public readonly record struct RdbFileValidation(long Entries, long Bytes);

/// <summary>
/// Reads a whole RDB file once, checksum verified and every value deep-validated, writing nothing: the pass that
/// lets a restore refuse a corrupt file before its first write.
/// </summary>
public static class RdbFileValidator
{
    /// <summary>
    /// Validates the file at <paramref name="path"/>; throws <see cref="RdbFormatException"/> at the first problem,
    /// naming the key, its type and the absolute byte offset when a value is corrupt.
    /// </summary>
    public static async Task<RdbFileValidation> ValidateAsync(string path, CancellationToken cancellation)
    {
        using var parser = new RdbParser<EntryCounter>(new EntryCounter(), new RdbParserOptions { ValidateValues = true });
        await RdbPipeReader.ParseFileAsync(path, parser, cancellation);
        return new RdbFileValidation(parser.Handler.Entries, parser.BytesConsumed);
    }

    private struct EntryCounter : IRdbHandler
    {
        public long Entries;

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

        public bool OnEntry(in RdbEntry entry)
        {
            Entries++;
            return true;
        }

        public void OnEnd(bool checksumPresent, bool checksumVerified)
        {
        }
    }
}
