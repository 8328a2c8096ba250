using System.Buffers;
using System.Buffers.Binary;
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

    /// <summary>The CRC64 of a payload's body: type byte, value bytes and the 2-byte version.</summary>
    public static ulong ComputeCrc(byte type, in ReadOnlySequence<byte> rawValue, ushort version)
    {
        Span<byte> head = [type];
        ulong crc = Crc64.Update(0, head);
        crc = Crc64.Update(crc, rawValue);
        Span<byte> versionBytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(versionBytes, version);
        return Crc64.Update(crc, versionBytes);
    }

    /// <summary>Writes the whole payload into <paramref name="writer"/>, streaming the value segment by segment.</summary>
    public static void WriteTo(IBufferWriter<byte> writer, byte type, in ReadOnlySequence<byte> rawValue, ushort version)
    {
        var head = writer.GetSpan(1);
        head[0] = type;
        writer.Advance(1);
        ulong crc = Crc64.Update(0, head[..1]);
        foreach (var segment in rawValue)
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
        WriteFooter(writer, crc, version);
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
    public static byte[] ToArray(byte type, in ReadOnlySequence<byte> rawValue, ushort version)
    {
        var writer = new ArrayBufferWriter<byte>((int)Length(rawValue.Length));
        WriteTo(writer, type, rawValue, version);
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
