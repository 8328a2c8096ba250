using System.Globalization;

namespace Shake.Core.Conversion;

/// <summary>
/// Writes a sorted-set score as the shortest decimal text that parses back to exactly the same double
/// (what ZADD needs so the target holds bit-identical scores); infinities as <c>inf</c>/<c>-inf</c>.
/// </summary>
public static class ScoreText
{
    /// <summary>Longest text <see cref="Format"/> produces.</summary>
    public const int MaxLength = 32;

    /// <summary>Formats <paramref name="score"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes) and returns the length.</summary>
    public static int Format(double score, Span<byte> destination)
    {
        if (double.IsNaN(score)) throw new ArgumentException("a sorted set score cannot be NaN", nameof(score));
        if (double.IsPositiveInfinity(score))
        {
            "inf"u8.CopyTo(destination);
            return 3;
        }
        if (double.IsNegativeInfinity(score))
        {
            "-inf"u8.CopyTo(destination);
            return 4;
        }
        // .NET's "R" is the shortest round-trip form; the server reads it back with strtod.
        if (!score.TryFormat(destination, out var written, "R", CultureInfo.InvariantCulture))
            throw new ArgumentException($"destination is shorter than {MaxLength} bytes", nameof(destination));
        return written;
    }
}
