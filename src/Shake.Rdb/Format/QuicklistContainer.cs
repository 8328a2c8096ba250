namespace Shake.Rdb.Format;

/// <summary>Node containers of a quicklist-2 list (quicklist.h <c>QUICKLIST_NODE_CONTAINER_*</c>).</summary>
public static class QuicklistContainer
{
    /// <summary>The node holds one element as a plain string (large elements).</summary>
    public const ulong Plain = 1;
    /// <summary>The node holds a listpack of elements.</summary>
    public const ulong Packed = 2;
}
