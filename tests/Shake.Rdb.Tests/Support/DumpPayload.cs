using System.Buffers.Binary;
using Shake.Rdb.Compression;

namespace Shake.Rdb.Tests.Support;

/// <summary>
/// Walks the body of a DUMP payload (type byte, RDB lengths and strings) just far enough for tests to pull out
/// the compact-encoded blobs. The trailing 2-byte RDB version and 8-byte CRC are excluded from <see cref="Body"/>.
/// </summary>
internal sealed class DumpPayload
{
    private readonly byte[] _body;
    private int _position;

    public DumpPayload(byte[] dump)
    {
        _body = dump[..^10];
        Type = _body[0];
        _position = 1;
    }

    public byte Type { get; }

    public byte[] Body => _body;

    public bool AtEnd => _position >= _body.Length;

    public ulong ReadLength() => ReadLength(out _);

    private ulong ReadLength(out bool special)
    {
        special = false;
        var first = _body[_position++];
        switch (first >> 6)
        {
            case 0: return (ulong)(first & 0x3F);
            case 1: return (ulong)(((first & 0x3F) << 8) | _body[_position++]);
            case 2:
                if (first == 0x80) { var v = BinaryPrimitives.ReadUInt32BigEndian(_body.AsSpan(_position)); _position += 4; return v; }
                if (first == 0x81) { var v = BinaryPrimitives.ReadUInt64BigEndian(_body.AsSpan(_position)); _position += 8; return v; }
                throw new InvalidDataException($"bad length byte {first:x2}");
            default:
                special = true;
                return (ulong)(first & 0x3F);
        }
    }

    /// <summary>Reads an RDB string; integer encodings come back as their decimal text; LZF is decompressed.</summary>
    public byte[] ReadString() => ReadString(out _);

    public byte[] ReadString(out bool wasLzf)
    {
        wasLzf = false;
        var length = ReadLength(out var special);
        if (!special)
        {
            var s = _body.AsSpan(_position, (int)length).ToArray();
            _position += (int)length;
            return s;
        }
        switch (length)
        {
            case 0: return System.Text.Encoding.ASCII.GetBytes(((sbyte)_body[_position++]).ToString());
            case 1: { var v = BinaryPrimitives.ReadInt16LittleEndian(_body.AsSpan(_position)); _position += 2; return System.Text.Encoding.ASCII.GetBytes(v.ToString()); }
            case 2: { var v = BinaryPrimitives.ReadInt32LittleEndian(_body.AsSpan(_position)); _position += 4; return System.Text.Encoding.ASCII.GetBytes(v.ToString()); }
            case 3:
            {
                wasLzf = true;
                var compressed = (int)ReadLength();
                var plain = (int)ReadLength();
                var output = new byte[plain];
                Lzf.Decompress(_body.AsSpan(_position, compressed), output);
                _position += compressed;
                return output;
            }
            default: throw new InvalidDataException($"bad string encoding {length}");
        }
    }

    /// <summary>Reads an LZF-encoded string's raw compressed bytes (for tests of the decompressor itself).</summary>
    public (byte[] Compressed, int PlainLength) ReadLzfRaw()
    {
        var first = _body[_position++];
        if (first != 0xC3) throw new InvalidDataException($"expected LZF string encoding 0xC3, got {first:x2}");
        var compressed = (int)ReadLength();
        var plain = (int)ReadLength();
        var bytes = _body.AsSpan(_position, compressed).ToArray();
        _position += compressed;
        return (bytes, plain);
    }
}
