using System.Buffers;
using System.Runtime.CompilerServices;

namespace Shake.Rdb.Validation;

/// <summary>
/// Remembers the byte strings of one collection (set members, hash fields, sorted set members, group and consumer
/// names) and tells when one comes twice. Reusable: <see cref="Reset"/> starts a new collection and keeps the buffers.
/// Strings that lie in the span the caller names as the collection's home are remembered by their place there; others
/// are copied, so memory is at most about the sum of the element sizes. The hash is seeded per instance
/// (<see cref="MemberHash"/>).
/// </summary>
internal sealed class DuplicateFinder : IDisposable
{
    private byte[] _arena = [];
    private int _arenaUsed;
    private Slot[] _slots = [];
    private int[] _buckets = [];
    private int _count;
    private int _expected;
    private bool _hashed;
    private const int LinearLimit = 16;
    private ulong[]? _screen;

    private struct Slot
    {
        public int Offset;
        public int Length;
        public int Hash;
        public int Next; // 1-based index of the next slot in the same bucket, 0 at the end
    }

    /// <summary>This finder's hash seed.</summary>
    public ulong Seed { get; } = MemberHash.NewSeed();

    /// <summary>
    /// A filter for a small collection, over this finder's buffer and seed; it replaces the finder for that collection
    /// until it refuses a member, and then the finder decides.
    /// </summary>
    public SmallDuplicateFilter Screen() => new(_screen ??= new ulong[SmallDuplicateFilter.Capacity], Seed);

    /// <summary>Starts a new collection of about <paramref name="expected"/> elements (a hint).</summary>
    public void Reset(long expected)
    {
        _expected = (int)Math.Clamp(expected, 0, 1 << 20);
        if (_hashed)
        {
            // Buckets are all zero whenever the finder is not hashed. Many small collections follow one big one: clear
            // only the buckets in use.
            if (_count < _buckets.Length / 8)
            {
                int mask = _buckets.Length - 1;
                for (int i = 0; i < _count; i++) _buckets[_slots[i].Hash & mask] = 0;
            }
            else Array.Clear(_buckets);
            _hashed = false;
        }
        _count = 0;
        _arenaUsed = 0;
    }

    /// <summary>Adds <paramref name="value"/>; false when it was added before in this collection.</summary>
    public bool Add(ReadOnlySpan<byte> value) => Add(value, default);

    /// <summary>
    /// Adds <paramref name="value"/>, which may lie inside <paramref name="home"/> (the blob or span every element of
    /// this collection comes from, passed unchanged to every call until the next <see cref="Reset"/>): such a value is
    /// remembered by its place there instead of copied. False when it was added before in this collection.
    /// </summary>
    public bool Add(ReadOnlySpan<byte> value, ReadOnlySpan<byte> home)
    {
        int hash = Hash(value);
        if (!_hashed)
        {
            // Most collections of an RDB are small (a listpack holds at most a few hundred elements): comparing with
            // every earlier hash costs less than a table until LinearLimit elements.
            for (int i = 0; i < _count; i++)
            {
                ref var slot = ref _slots[i];
                if (slot.Hash == hash && Bytes(slot, home).SequenceEqual(value)) return false;
            }
            Append(value, home, hash, next: 0);
            if (_count == LinearLimit) BuildBuckets();
            return true;
        }
        int mask = _buckets.Length - 1;
        for (int i = _buckets[hash & mask]; i != 0; i = _slots[i - 1].Next)
        {
            ref var slot = ref _slots[i - 1];
            if (slot.Hash == hash && Bytes(slot, home).SequenceEqual(value)) return false;
        }
        Append(value, home, hash, _buckets[hash & mask]);
        _buckets[hash & mask] = _count;
        if (_count > _buckets.Length) Rehash();
        return true;
    }

    // A negative offset is the complement of a place in the caller's home span; others are places in the arena.
    private ReadOnlySpan<byte> Bytes(in Slot slot, ReadOnlySpan<byte> home) =>
        slot.Offset < 0 ? home.Slice(~slot.Offset, slot.Length) : _arena.AsSpan(slot.Offset, slot.Length);

    private void Append(ReadOnlySpan<byte> value, ReadOnlySpan<byte> home, int hash, int next)
    {
        if (_count == _slots.Length) Array.Resize(ref _slots, Math.Max(LinearLimit, _slots.Length * 2));
        int offset;
        if (!home.IsEmpty && home.Overlaps(value, out int inHome) && inHome >= 0 && inHome + value.Length <= home.Length)
        {
            offset = ~inHome;
        }
        else
        {
            EnsureArena(value.Length);
            value.CopyTo(_arena.AsSpan(_arenaUsed));
            offset = _arenaUsed;
            _arenaUsed += value.Length;
        }
        _slots[_count] = new Slot { Offset = offset, Length = value.Length, Hash = hash, Next = next };
        _count++;
    }

    private void BuildBuckets()
    {
        int wanted = RoundUpToPowerOfTwo(Math.Max(_expected, _count) * 2);
        if (_buckets.Length < wanted) _buckets = new int[wanted];
        _hashed = true;
        Relink();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Hash(ReadOnlySpan<byte> value)
    {
        ulong h = MemberHash.Of(value, Seed);
        return (int)h ^ (int)(h >> 32);
    }

    private void Rehash()
    {
        _buckets = new int[_buckets.Length * 2];
        Relink();
    }

    private void Relink()
    {
        int mask = _buckets.Length - 1;
        for (int i = 0; i < _count; i++)
        {
            ref var slot = ref _slots[i];
            slot.Next = _buckets[slot.Hash & mask];
            _buckets[slot.Hash & mask] = i + 1;
        }
    }

    private void EnsureArena(int more)
    {
        long needed = (long)_arenaUsed + more;
        if (needed <= _arena.Length) return;
        if (needed > Array.MaxLength) throw new InsufficientMemoryException("a collection's elements exceed the largest buffer for the duplicate check");
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(4096L, _arena.Length * 2L))));
        _arena.AsSpan(0, _arenaUsed).CopyTo(larger);
        if (_arena.Length > 0) ArrayPool<byte>.Shared.Return(_arena);
        _arena = larger;
    }

    private static int RoundUpToPowerOfTwo(int value)
    {
        int result = 16;
        while (result < value) result <<= 1;
        return result;
    }

    /// <summary>Returns the pooled buffer.</summary>
    public void Dispose()
    {
        if (_arena.Length > 0) ArrayPool<byte>.Shared.Return(_arena);
        _arena = [];
        _slots = [];
        _buckets = [];
    }
}
