using System.Diagnostics.CodeAnalysis;
using Shake.Rdb.Parsing;

namespace Shake.Rdb.Validation;

/// <summary>Reads of fixed items inside one value for the validator; a value that ends early is corrupt.</summary>
internal static class ValueReads
{
    public static ulong Count(ref RdbCursor c, string what)
    {
        if (!c.TryReadCount(out ulong n, what)) ThrowTruncated(ref c, what);
        return n;
    }

    public static long Int64(ref RdbCursor c, string what)
    {
        if (!c.TryReadInt64LittleEndian(out long v)) ThrowTruncated(ref c, what);
        return v;
    }

    [DoesNotReturn]
    public static void ThrowTruncated(ref RdbCursor c, string what) =>
        throw new RdbFormatException($"value ends before {what} is complete", c.Offset);
}
