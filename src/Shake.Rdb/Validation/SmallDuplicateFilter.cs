using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Shake.Rdb.Validation;

/// <summary>
/// The duplicate check of a small collection (most listpacks and small plain collections): remembers only each
/// member's 64-bit hash, so a member costs a hash and a short search, with no copy and nothing to clear between
/// collections. A repeated hash is a duplicate or a collision: the caller then decides with the exact check
/// (<see cref="DuplicateFinder"/>, which hands out these filters over its own buffers), which names the member's offset.
/// </summary>
internal ref struct SmallDuplicateFilter
{
    /// <summary>Most members one filter holds: past this a linear search costs more than the exact check's table.</summary>
    public const int Capacity = 32;

    private readonly Span<ulong> _seen;
    private readonly Span<byte> _text;
    private readonly ulong _seed;
    private int _count;

    /// <summary>
    /// A filter over <paramref name="seen"/> (at least <see cref="Capacity"/> long) and <paramref name="text"/> (room for
    /// the decimal text of any 64-bit integer).
    /// </summary>
    public SmallDuplicateFilter(Span<ulong> seen, Span<byte> text, ulong seed)
    {
        _seen = seen;
        _text = text;
        _seed = seed;
        _count = 0;
    }

    /// <summary>
    /// Adds <paramref name="member"/>; false when its hash came before (perhaps a duplicate) or the filter is full:
    /// either way the collection goes to the exact check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(scoped ReadOnlySpan<byte> member)
    {
        ulong hash = MemberHash.Of(member, _seed);
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

    /// <summary>Adds an integer member as its decimal text, as the server compares it with a string member.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AddInteger(long member) => Add(_text[..Format(member, _text)]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Format(long value, Span<byte> text)
    {
        Utf8Formatter.TryFormat(value, text, out int written);
        return written;
    }
}
