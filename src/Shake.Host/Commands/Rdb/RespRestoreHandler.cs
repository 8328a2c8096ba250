using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Shake.Rdb.Checksums;
using Shake.Rdb.Dump;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Host.Commands.Rdb;

/// <summary>
/// <c>shake rdb resp</c>: the commands that would load the file into a server, as RESP: <c>FUNCTION LOAD</c> per
/// library, <c>SELECT</c> when the database changes, and per key <c>RESTORE key ttl payload [ABSTTL] [IDLETIME s] [FREQ f]</c>.
/// The payload is streamed from the raw value with its CRC computed on the way; no value is decoded.
/// </summary>
/// <remarks>
/// A struct so that <c>RdbParser&lt;RespRestoreHandler&gt;</c> is its own instantiation: the parser calls the handler
/// directly (inlinable, precompiled in the published image) instead of through shared generic code and interface
/// dispatch stubs, which cost about a third of a short run. It lives inside the parser; read it via its Handler.
/// </remarks>
internal struct RespRestoreHandler : IRdbHandler
{
    private readonly PipeWriter _output;
    private int _currentDb;

    public RespRestoreHandler(PipeWriter output) => _output = output;

    public long Keys { readonly get; private set; }


    public void OnFunction(ReadOnlySpan<byte> code)
    {
        WriteArrayHeader(3);
        WriteBulk("FUNCTION"u8);
        WriteBulk("LOAD"u8);
        WriteBulk(code);
    }

    public bool OnEntry(in RdbEntry entry)
    {
        if (entry.Db != _currentDb)
        {
            Span<byte> db = stackalloc byte[11];
            Utf8Formatter.TryFormat(entry.Db, db, out int n);
            WriteArrayHeader(2);
            WriteBulk("SELECT"u8);
            WriteBulk(db[..n]);
            _currentDb = entry.Db;
        }
        int args = 4 + (entry.ExpireAtMs >= 0 ? 1 : 0) + (entry.IdleSeconds >= 0 ? 2 : 0) + (entry.Frequency >= 0 ? 2 : 0);
        WriteArrayHeader(args);
        WriteBulk("RESTORE"u8);
        WriteBulk(entry.Key);
        Span<byte> number = stackalloc byte[20];
        Utf8Formatter.TryFormat(entry.ExpireAtMs >= 0 ? entry.ExpireAtMs : 0, number, out int len);
        WriteBulk(number[..len]);
        WritePayload(entry);
        if (entry.ExpireAtMs >= 0) WriteBulk("ABSTTL"u8);
        if (entry.IdleSeconds >= 0)
        {
            WriteBulk("IDLETIME"u8);
            Utf8Formatter.TryFormat(entry.IdleSeconds, number, out len);
            WriteBulk(number[..len]);
        }
        if (entry.Frequency >= 0)
        {
            WriteBulk("FREQ"u8);
            Utf8Formatter.TryFormat(entry.Frequency, number, out len);
            WriteBulk(number[..len]);
        }
        Keys++;
        return true;
    }

    private void WritePayload(in RdbEntry entry)
    {
        long length = DumpPayload.Length(entry.KeyMetadata.Length, entry.RawValue.Length);
        var raw = entry.RawValue;
        if (raw.IsSingleSegment && length < 4096 && entry.KeyMetadata.IsEmpty)
        {
            // Small values: header, body and footer in one span.
            var span = _output.GetSpan((int)length + 24);
            int at = WriteBulkHeader(span, length);
            span[at] = entry.Type;
            raw.FirstSpan.CopyTo(span[(at + 1)..]);
            int end = at + 1 + (int)raw.Length;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(span[end..], (ushort)entry.RdbVersion);
            ulong crc = Crc64.Compute(span.Slice(at, end + 2 - at));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(span[(end + 2)..], crc);
            span[end + 10] = (byte)'\r';
            span[end + 11] = (byte)'\n';
            _output.Advance(end + 12);
            return;
        }
        var head = _output.GetSpan(24);
        _output.Advance(WriteBulkHeader(head, length));
        DumpPayload.WriteTo(_output, entry.KeyMetadata, entry.Type, raw, (ushort)entry.RdbVersion);
        WriteCrlf();
    }

    private static int WriteBulkHeader(Span<byte> span, long length)
    {
        span[0] = (byte)'$';
        Utf8Formatter.TryFormat(length, span[1..], out int n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        return n + 3;
    }

    private void WriteArrayHeader(int count)
    {
        var span = _output.GetSpan(16);
        span[0] = (byte)'*';
        Utf8Formatter.TryFormat(count, span[1..], out int n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        _output.Advance(n + 3);
    }

    private void WriteBulk(ReadOnlySpan<byte> value)
    {
        var span = _output.GetSpan(value.Length + 24);
        int at = WriteBulkHeader(span, value.Length);
        value.CopyTo(span[at..]);
        span[at + value.Length] = (byte)'\r';
        span[at + value.Length + 1] = (byte)'\n';
        _output.Advance(at + value.Length + 2);
    }

    private void WriteCrlf()
    {
        var span = _output.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        _output.Advance(2);
    }
}
