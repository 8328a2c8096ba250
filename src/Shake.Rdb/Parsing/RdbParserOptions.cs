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
}
