using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Shake.Rdb.Validation;

/// <summary>
/// The seeded 64-bit hash of a member for the duplicate checks. Seeded per checker instance, so input crafted in
/// advance cannot aim at collisions; a collision only ever sends a collection to the exact check.
/// </summary>
internal static class MemberHash
{
    private const ulong K1 = 0x9E3779B97F4A7C15, K2 = 0xC2B2AE3D27D4EB4F;

    /// <summary>A fresh odd seed.</summary>
    public static ulong NewSeed() => (ulong)Random.Shared.NextInt64() | 1;

    // Most members are short: up to 16 bytes are read as two overlapping words, longer ones 8 bytes at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ReadOnlySpan<byte> value, ulong seed)
    {
        ulong h = seed ^ ((ulong)value.Length * K1);
        if (value.Length >= 8)
        {
            int i = 0;
            for (; i + 8 < value.Length; i += 8)
                h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(value[i..])) * K2, 29);
            h ^= BinaryPrimitives.ReadUInt64LittleEndian(value[^8..]);
        }
        else if (value.Length >= 4)
        {
            h ^= BinaryPrimitives.ReadUInt32LittleEndian(value) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(value[^4..]) << 32);
        }
        else if (value.Length > 0)
        {
            h ^= value[0] | ((ulong)value[value.Length / 2] << 8) | ((ulong)value[^1] << 16);
        }
        h = (h ^ (h >> 31)) * K2;
        return h ^ (h >> 29);
    }
}
