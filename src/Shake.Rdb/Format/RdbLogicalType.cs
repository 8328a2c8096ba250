namespace Shake.Rdb.Format;

/// <summary>The data type a value has on a server (what <c>TYPE key</c> answers), whatever its encoding.</summary>
public enum RdbLogicalType
{
    /// <summary>A string.</summary>
    String,
    /// <summary>A list.</summary>
    List,
    /// <summary>A set.</summary>
    Set,
    /// <summary>A sorted set.</summary>
    ZSet,
    /// <summary>A hash.</summary>
    Hash,
    /// <summary>A stream.</summary>
    Stream,
    /// <summary>A module value.</summary>
    Module,
}
