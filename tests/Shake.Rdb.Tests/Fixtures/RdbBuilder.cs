using System.Buffers.Binary;
using System.Text;
using Shake.Rdb.Checksums;

namespace Shake.Rdb.Tests.Fixtures;

/// <summary>Writes RDB bytes by hand, for layouts no local server produces (Valkey 9, Redis 8.6, old versions, corruption).</summary>
public sealed class RdbBuilder
{
    private readonly MemoryStream _out = new();
    private readonly int _version;

    public RdbBuilder(string magic, int version)
    {
        _version = version;
        var digits = magic == "VALKEY" ? version.ToString("000") : version.ToString("0000");
        Raw(Encoding.ASCII.GetBytes(magic + digits));
    }

    public RdbBuilder Raw(params byte[] bytes) { _out.Write(bytes); return this; }
    public RdbBuilder Byte(byte b) { _out.WriteByte(b); return this; }

    public RdbBuilder Length(ulong n)
    {
        if (n < 64) return Byte((byte)n);
        if (n < 16384) return Raw((byte)(0x40 | (n >> 8)), (byte)n);
        if (n <= uint.MaxValue) { var b = new byte[5]; b[0] = 0x80; BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(1), (uint)n); return Raw(b); }
        var l = new byte[9]; l[0] = 0x81; BinaryPrimitives.WriteUInt64BigEndian(l.AsSpan(1), n); return Raw(l);
    }

    public RdbBuilder String(string s) => String(Encoding.UTF8.GetBytes(s));
    public RdbBuilder String(byte[] s) { Length((ulong)s.Length); return Raw(s); }

    /// <summary>An LZF-encoded string, as a server saves a compressible string over 20 bytes; the bytes must compress.</summary>
    public RdbBuilder LzfString(byte[] s)
    {
        var compressed = new byte[s.Length];
        int n = Shake.Rdb.Compression.Lzf.Compress(s, compressed);
        if (n == 0) throw new ArgumentException("the bytes do not compress", nameof(s));
        Byte(0xC3).Length((ulong)n).Length((ulong)s.Length);
        return Raw(compressed[..n]);
    }
    public RdbBuilder Int64(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return Raw(b); }
    public RdbBuilder Int32(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return Raw(b); }
    public RdbBuilder Aux(string k, string v) => Byte(250).String(k).String(v);
    public RdbBuilder SelectDb(int db) => Byte(254).Length((ulong)db);
    public RdbBuilder StringEntry(string key, string value) => Byte(0).String(key).String(value);

    /// <summary>EOF marker and (RDB 5+) the CRC64 of everything before it.</summary>
    public byte[] End(bool checksum = true)
    {
        Byte(255);
        if (_version >= 5 || _version >= 80)
        {
            ulong crc = checksum ? Crc64.Compute(_out.ToArray()) : 0;
            Int64((long)crc);
        }
        return _out.ToArray();
    }

    public byte[] Unfinished() => _out.ToArray();
}
