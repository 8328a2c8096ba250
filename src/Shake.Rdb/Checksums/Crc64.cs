using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Shake.Rdb.Checksums;

/// <summary>
/// CRC-64/Jones as used by Redis for RDB files and DUMP payloads: reflected, polynomial 0xad93d23594c935a9,
/// initial value 0, no final xor. <c>Compute("123456789")</c> is <c>0xe9c6d914c4b8d9ca</c>.
/// </summary>
/// <remarks>
/// Slicing-by-8: eight 256-entry tables let the loop fold eight input bytes per step with independent lookups,
/// which is several times faster than the byte-at-a-time table and needs no hardware support.
/// </remarks>
public static class Crc64
{
    /// <summary>The Jones polynomial bit-reversed, as the reflected algorithm shifts right.</summary>
    private const ulong ReflectedPolynomial = 0x95AC9329AC4BC9B5UL;

    // Eight consecutive 256-entry tables in one array: Tables[k * 256 + b] is the CRC of byte b followed by k zero bytes.
    private static readonly ulong[] Tables = BuildTables();

    /// <summary>Continues a running checksum <paramref name="crc"/> over <paramref name="data"/>.</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        ref ulong t = ref MemoryMarshal.GetArrayDataReference(Tables);
        ref byte p = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        for (; i + 8 <= length; i += 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref p, i), 8));
            crc = Unsafe.Add(ref t, 7 * 256 + (int)(crc & 0xFF))
                ^ Unsafe.Add(ref t, 6 * 256 + (int)((crc >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, 5 * 256 + (int)((crc >> 16) & 0xFF))
                ^ Unsafe.Add(ref t, 4 * 256 + (int)((crc >> 24) & 0xFF))
                ^ Unsafe.Add(ref t, 3 * 256 + (int)((crc >> 32) & 0xFF))
                ^ Unsafe.Add(ref t, 2 * 256 + (int)((crc >> 40) & 0xFF))
                ^ Unsafe.Add(ref t, 1 * 256 + (int)((crc >> 48) & 0xFF))
                ^ Unsafe.Add(ref t, (int)(crc >> 56));
        }
        for (; i < length; i++)
            crc = Unsafe.Add(ref t, (int)((crc ^ Unsafe.Add(ref p, i)) & 0xFF)) ^ (crc >> 8);
        return crc;
    }

    /// <summary>The checksum of <paramref name="data"/> alone (<c>Update(0, data)</c>).</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>Continues a running checksum <paramref name="crc"/> over every segment of <paramref name="data"/>.</summary>
    public static ulong Update(ulong crc, in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment) return Update(crc, data.FirstSpan);
        foreach (var segment in data)
            crc = Update(crc, segment.Span);
        return crc;
    }

    private static ulong[] BuildTables()
    {
        var tables = new ulong[8 * 256];
        for (var b = 0; b < 256; b++)
        {
            var crc = (ulong)b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            tables[b] = crc;
        }
        for (var k = 1; k < 8; k++)
            for (var b = 0; b < 256; b++)
            {
                var previous = tables[(k - 1) * 256 + b];
                tables[k * 256 + b] = (previous >> 8) ^ tables[(int)(previous & 0xFF)];
            }
        return tables;
    }
}
