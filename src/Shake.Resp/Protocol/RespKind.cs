namespace Shake.Resp.Protocol;

/// <summary>The type of one RESP2/RESP3 frame; the value is the prefix byte on the wire.</summary>
public enum RespKind : byte
{
    /// <summary><c>+</c> simple string.</summary>
    SimpleString = (byte)'+',
    /// <summary><c>-</c> simple error.</summary>
    Error = (byte)'-',
    /// <summary><c>:</c> 64-bit integer.</summary>
    Integer = (byte)':',
    /// <summary><c>$</c> bulk string (length -1 is the RESP2 null).</summary>
    BulkString = (byte)'$',
    /// <summary><c>*</c> array (length -1 is the RESP2 null array).</summary>
    Array = (byte)'*',
    /// <summary><c>_</c> RESP3 null.</summary>
    Null = (byte)'_',
    /// <summary><c>#</c> RESP3 boolean.</summary>
    Boolean = (byte)'#',
    /// <summary><c>,</c> RESP3 double.</summary>
    Double = (byte)',',
    /// <summary><c>(</c> RESP3 big number.</summary>
    BigNumber = (byte)'(',
    /// <summary><c>!</c> RESP3 bulk error.</summary>
    BulkError = (byte)'!',
    /// <summary><c>=</c> RESP3 verbatim string (<c>fmt:</c> prefix then text).</summary>
    VerbatimString = (byte)'=',
    /// <summary><c>%</c> RESP3 map of N key/value pairs.</summary>
    Map = (byte)'%',
    /// <summary><c>~</c> RESP3 set.</summary>
    Set = (byte)'~',
    /// <summary><c>|</c> RESP3 attribute: N key/value pairs decorating the reply that follows it.</summary>
    Attribute = (byte)'|',
    /// <summary><c>&gt;</c> RESP3 out-of-band push message.</summary>
    Push = (byte)'>',
}

/// <summary>Classification helpers for <see cref="RespKind"/>.</summary>
public static class RespKindExtensions
{
    /// <summary>True for frames whose header is followed by child frames (array, map, set, attribute, push).</summary>
    public static bool IsAggregate(this RespKind kind) =>
        kind is RespKind.Array or RespKind.Map or RespKind.Set or RespKind.Attribute or RespKind.Push;

    /// <summary>True for simple and bulk errors.</summary>
    public static bool IsError(this RespKind kind) => kind is RespKind.Error or RespKind.BulkError;

    /// <summary>The number of child frames an aggregate header of this kind announces for <paramref name="length"/> (maps and attributes hold pairs).</summary>
    public static long ChildCount(this RespKind kind, long length) =>
        length <= 0 || !kind.IsAggregate() ? 0 : kind is RespKind.Map or RespKind.Attribute ? length * 2 : length;
}
