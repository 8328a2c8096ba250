using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Shake.Rdb.Validation;

/// <summary>
/// The duplicate check of a small collection (most listpacks and small plain collections): remembers only each
/// member's 64-bit hash, so a member costs a hash and a short search, with no copy and nothing to clear between
/// collections. A repeated hash is a duplicate or a collision: the caller then decides with the exact check
/// (<see cref="DuplicateFinder"/>, which hands out these filters over its own buffer), which names the member's offset.
/// </summary>
// Four fields at most, so that a compiler keeps the filter in registers in the walks that use it.
internal ref struct SmallDuplicateFilter
{
    /// <summary>Most members one filter holds: past this a linear search costs more than the exact check's table.</summary>
    public const int Capacity = 32;

    private readonly Span<ulong> _seen;
    private readonly ulong _seed;
    private int _count;

    /// <summary>A filter over <paramref name="seen"/> (at least <see cref="Capacity"/> long).</summary>
    public SmallDuplicateFilter(Span<ulong> seen, ulong seed)
    {
        _seen = seen;
        _seed = seed;
        _count = 0;
    }

    /// <summary>
    /// Adds <paramref name="member"/>; false when its hash came before (perhaps a duplicate) or the filter is full:
    /// either way the collection goes to the exact check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(scoped ReadOnlySpan<byte> member) => AddHash(MemberHash.Of(member, _seed));

    /// <summary>Adds an integer member as its decimal text, as the server compares it with a string member.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AddInteger(long member) => AddHash(TextHash(member, _seed));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AddHash(ulong hash)
    {
        var seen = _seen;
        int count = _count;
        if ((uint)count >= (uint)seen.Length) return false;
        // Most collections are a handful of members: a plain loop beats a vectorized search's set-up.
        for (int i = 0; i < count; i++)
        {
            if (seen[i] == hash) return false;
        }
        seen[count] = hash;
        _count = count + 1;
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]
    private static ulong TextHash(long value, ulong seed)
    {
        Span<byte> text = stackalloc byte[24];
        Utf8Formatter.TryFormat(value, text, out int written);
        return MemberHash.Of(text[..written], seed);
    }
}
