using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Shake.Rdb.Checksums;

namespace Shake.Rdb.Dump;

/// <summary>
/// Builds the payload <c>RESTORE</c> takes from an entry's raw bytes, without decoding the value:
/// <c>type byte · value bytes · RDB version (2 bytes LE) · CRC64-Jones of all before (8 bytes LE)</c>.
/// A server refuses a payload whose version is newer than its own RDB version, so pass the version of the file
/// the entry came from (or a lower one the value's encoding allows).
/// </summary>
public static class DumpPayload
{
    /// <summary>Bytes after the value: 2-byte version and 8-byte CRC64.</summary>
    public const int FooterLength = 10;

    /// <summary>Total payload length for a raw value of <paramref name="rawValueLength"/> bytes (type byte + value + footer).</summary>
    public static long Length(long rawValueLength) => 1 + rawValueLength + FooterLength;

    /// <summary>Total payload length including a key metadata block of <paramref name="keyMetadataLength"/> bytes.</summary>
    public static long Length(long keyMetadataLength, long rawValueLength) => keyMetadataLength + Length(rawValueLength);

    /// <summary>The CRC64 of a payload's body: type byte, value bytes and the 2-byte version.</summary>
    public static ulong ComputeCrc(byte type, in ReadOnlySequence<byte> rawValue, ushort version) =>
        ComputeCrc(ReadOnlySequence<byte>.Empty, type, rawValue, version);

    /// <summary>The CRC64 of a payload's body that starts with a key metadata block.</summary>
    public static ulong ComputeCrc(in ReadOnlySequence<byte> keyMetadata, byte type, in ReadOnlySequence<byte> rawValue, ushort version)
    {
        Span<byte> head = [type];
        ulong crc = Crc64.Update(Crc64.Update(0, keyMetadata), head);
        crc = Crc64.Update(crc, rawValue);
        Span<byte> versionBytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(versionBytes, version);
        return Crc64.Update(crc, versionBytes);
    }

    /// <summary>Writes the whole payload into <paramref name="writer"/>, streaming the value segment by segment.</summary>
    public static void WriteTo(IBufferWriter<byte> writer, byte type, in ReadOnlySequence<byte> rawValue, ushort version) =>
        WriteTo(writer, ReadOnlySequence<byte>.Empty, type, rawValue, version);

    /// <summary>
    /// Writes a payload that starts with a key metadata block (<see cref="Parsing.RdbEntry.KeyMetadata"/>, Redis 8.6+),
    /// as Redis's DUMP does for keys carrying module metadata. An empty block gives the plain payload.
    /// </summary>
    public static void WriteTo(IBufferWriter<byte> writer, in ReadOnlySequence<byte> keyMetadata, byte type, in ReadOnlySequence<byte> rawValue, ushort version)
    {
        ulong crc = Copy(writer, keyMetadata, 0);
        var head = writer.GetSpan(1);
        head[0] = type;
        writer.Advance(1);
        crc = Crc64.Update(crc, head[..1]);
        crc = Copy(writer, rawValue, crc);
        WriteFooter(writer, crc, version);
    }

    private static ulong Copy(IBufferWriter<byte> writer, in ReadOnlySequence<byte> data, ulong crc)
    {
        foreach (var segment in data)
        {
            var source = segment.Span;
            while (!source.IsEmpty)
            {
                var target = writer.GetSpan(1);
                int n = Math.Min(target.Length, source.Length);
                source[..n].CopyTo(target);
                crc = Crc64.Update(crc, source[..n]);
                writer.Advance(n);
                source = source[n..];
            }
        }
        return crc;
    }

    /// <summary>
    /// Writes the whole payload of a value held in one span into <paramref name="destination"/>, which must hold
    /// <see cref="Length(long)"/> bytes; returns that length. The single-buffer form of <see cref="WriteTo(IBufferWriter{byte}, byte, in ReadOnlySequence{byte}, ushort)"/>
    /// for small values, where one span request per command beats one per part.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, byte type, ReadOnlySpan<byte> rawValue, ushort version)
    {
        int end = 1 + rawValue.Length;
        var payload = destination[..(end + FooterLength)];
        payload[0] = type;
        rawValue.CopyTo(payload[1..]);
        BinaryPrimitives.WriteUInt16LittleEndian(payload[end..], version);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[(end + 2)..], Crc64.Compute(payload[..(end + 2)]));
        return payload.Length;
    }

    /// <summary>Writes the footer (version + CRC) for a body whose CRC so far is <paramref name="bodyCrc"/>.</summary>
    public static void WriteFooter(IBufferWriter<byte> writer, ulong bodyCrc, ushort version)
    {
        var footer = writer.GetSpan(FooterLength);
        BinaryPrimitives.WriteUInt16LittleEndian(footer, version);
        ulong crc = Crc64.Update(bodyCrc, footer[..2]);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[2..], crc);
        writer.Advance(FooterLength);
    }

    /// <summary>The payload as a new array (convenience for tests and cold paths).</summary>
    public static byte[] ToArray(byte type, in ReadOnlySequence<byte> rawValue, ushort version) =>
        ToArray(ReadOnlySequence<byte>.Empty, type, rawValue, version);

    /// <summary>The payload, led by a key metadata block, as a new array.</summary>
    public static byte[] ToArray(in ReadOnlySequence<byte> keyMetadata, byte type, in ReadOnlySequence<byte> rawValue, ushort version)
    {
        var writer = new ArrayBufferWriter<byte>((int)Length(keyMetadata.Length, rawValue.Length));
        WriteTo(writer, keyMetadata, type, rawValue, version);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Checks a payload the way RESTORE does: at least 10 bytes, version not above <paramref name="maxVersion"/>,
    /// and CRC matching.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> payload, int maxVersion)
    {
        if (payload.Length < FooterLength + 1) return false;
        var footer = payload[^FooterLength..];
        if (BinaryPrimitives.ReadUInt16LittleEndian(footer) > maxVersion) return false;
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(footer[2..]);
        return Crc64.Compute(payload[..^8]) == stored;
    }
}
