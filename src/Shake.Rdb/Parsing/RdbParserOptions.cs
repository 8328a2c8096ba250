namespace Shake.Rdb.Parsing;

/// <summary>Limits and checks of <see cref="RdbParser{THandler}"/>.</summary>
public sealed record RdbParserOptions
{
    /// <summary>Default options: checksum verified, strings up to 4 GiB.</summary>
    public static RdbParserOptions Default { get; } = new();

    /// <summary>Verify the CRC64 at the end of the file (costs one pass of CRC over every byte). Default true.</summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>
    /// Longest string accepted. A length field above it is rejected at once, so a corrupt length never makes the
    /// reader wait for, or buffer, data that cannot come. Default 4 GiB (Redis's own limit is 512 MB by default).
    /// </summary>
    public long MaxStringLength { get; init; } = 4L << 30;

    /// <summary>
    /// Deep-validate every value (<see cref="Validation.RdbValueValidator"/>) before handing its entry over, so corrupt
    /// compact encodings (a bad ziplist or listpack inside an intact RDB string), duplicate members or inconsistent
    /// stream groups are refused, naming the key, its type and the byte offset, instead of passed on to RESTORE.
    /// Default false (a live source is trusted); set it for anything read from a file or standard input.
    /// </summary>
    public bool ValidateValues { get; init; }

    /// <summary>
    /// Largest part of one value (list, set, sorted set, hash, stream, plain string) held in memory before it is streamed
    /// instead: once more than this many bytes of an incomplete value are buffered, the handler gets
    /// <see cref="IRdbHandler.OnLargeEntryStart"/>, then every element as soon as its bytes arrived (their bytes are
    /// consumed at once; a plain string in parts, <see cref="Values.IRdbValueVisitor.OnStringPart"/>), then
    /// <see cref="IRdbHandler.OnLargeEntryEnd"/>. LZF-compressed strings, compact encodings held in one string and module
    /// values are always held whole. Default <see cref="long.MaxValue"/>: every value is held whole and
    /// handed over as one <see cref="RdbEntry"/>.
    /// </summary>
    public long LargeValueThreshold { get; init; } = long.MaxValue;
}
