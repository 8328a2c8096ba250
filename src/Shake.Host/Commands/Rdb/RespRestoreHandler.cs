using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Shake.Rdb.Dump;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Resp.Protocol;

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
    /// <summary>Keys and values up to this size are formatted in one piece; larger ones are streamed.</summary>
    private const int SmallValue = 4096;

    /// <summary>
    /// Upper bound of everything in a RESTORE besides the key and value bytes: head (17), key header (23+2),
    /// TTL (45), payload header (23), type byte and footer (11), CRLF (2), ABSTTL (12), IDLETIME and FREQ (2 × 59).
    /// </summary>
    private const int FixedPartsMaxLength = 256;

    private readonly IBufferWriter<byte> _output;
    private int _currentDb;

    public RespRestoreHandler(IBufferWriter<byte> output) => _output = output;

    public long Keys { readonly get; private set; }

    // Every callback is implemented, even as nothing: a struct handler that falls back to an interface default body
    // needs a boxed `this`, and the ahead-of-time compiler then leaves the parser methods calling it to the JIT.
    public readonly void OnHeader(int version, RdbMagicKind magic) { }

    public readonly void OnAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) { }

    public readonly void OnSelectDb(int db) { }

    public readonly void OnResizeDb(ulong keys, ulong expires) { }

    public readonly void OnModuleAux(ulong moduleId, in ReadOnlySequence<byte> raw) { }

    public readonly void OnEnd(bool checksumPresent, bool checksumVerified) { }

    public void OnFunction(ReadOnlySpan<byte> code)
    {
        WriteArrayHeader(3);
        WriteBulk("FUNCTION"u8);
        WriteBulk("LOAD"u8);
        WriteBulk(code);
    }

    // Inlined into the parser with WriteSmall: a call between precompiled methods goes through an indirection stub,
    // and per key those hops cost more than the work of most of the calls.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
        var raw = entry.RawValue;
        if (raw.IsSingleSegment && raw.Length <= SmallValue && entry.Key.Length <= SmallValue && entry.KeyMetadata.IsEmpty)
            WriteSmall(entry, raw.FirstSpan);
        else
            WriteLarge(entry);
        Keys++;
        return true;
    }

    /// <summary>Most keys: the whole command formatted into one span of the output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void WriteSmall(in RdbEntry entry, ReadOnlySpan<byte> value)
    {
        var span = _output.GetSpan(entry.Key.Length + value.Length + FixedPartsMaxLength);
        int at = WriteHead(span, entry);
        at += RespCommandWriter.FormatBulk(span[at..], entry.Key);
        if (entry.ExpireAtMs >= 0) at += RespCommandWriter.FormatBulk(span[at..], (ulong)entry.ExpireAtMs);
        else
        {
            "$1\r\n0\r\n"u8.CopyTo(span[at..]);
            at += 7;
        }
        at += RespCommandWriter.FormatBulkHeader(span[at..], DumpPayload.Length(value.Length));
        at += DumpPayload.Write(span[at..], entry.Type, value, (ushort)entry.RdbVersion);
        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        at += WriteTail(span[at..], entry);
        _output.Advance(at);
    }

    private void WriteLarge(in RdbEntry entry)
    {
        var head = _output.GetSpan(16);
        _output.Advance(WriteHead(head, entry));
        WriteBulk(entry.Key);
        Span<byte> number = stackalloc byte[20];
        Utf8Formatter.TryFormat(entry.ExpireAtMs >= 0 ? entry.ExpireAtMs : 0, number, out int len);
        WriteBulk(number[..len]);
        var bulk = _output.GetSpan(RespCommandWriter.MaxBulkHeaderLength);
        _output.Advance(RespCommandWriter.FormatBulkHeader(bulk, DumpPayload.Length(entry.KeyMetadata.Length, entry.RawValue.Length)));
        DumpPayload.WriteTo(_output, entry.KeyMetadata, entry.Type, entry.RawValue, (ushort)entry.RdbVersion);
        WriteCrlf();
        var tail = _output.GetSpan(FixedPartsMaxLength);
        _output.Advance(WriteTail(tail, entry));
    }

    /// <summary><c>*N</c> and the command name.</summary>
    private static int WriteHead(Span<byte> span, in RdbEntry entry)
    {
        int args = 4 + (entry.ExpireAtMs >= 0 ? 1 : 0) + (entry.IdleSeconds >= 0 ? 2 : 0) + (entry.Frequency >= 0 ? 2 : 0);
        span[0] = (byte)'*';
        span[1] = (byte)('0' + args);
        "\r\n$7\r\nRESTORE\r\n"u8.CopyTo(span[2..]);
        return 17;
    }

    /// <summary>The options after the payload: ABSTTL, IDLETIME, FREQ.</summary>
    private static int WriteTail(Span<byte> span, in RdbEntry entry)
    {
        int at = 0;
        if (entry.ExpireAtMs >= 0)
        {
            "$6\r\nABSTTL\r\n"u8.CopyTo(span);
            at = 12;
        }
        if (entry.IdleSeconds >= 0)
        {
            at += RespCommandWriter.FormatBulk(span[at..], "IDLETIME"u8);
            at += RespCommandWriter.FormatBulk(span[at..], (ulong)entry.IdleSeconds);
        }
        if (entry.Frequency >= 0)
        {
            at += RespCommandWriter.FormatBulk(span[at..], "FREQ"u8);
            at += RespCommandWriter.FormatBulk(span[at..], (ulong)entry.Frequency);
        }
        return at;
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
        if (value.Length > SmallValue)
        {
            RespCommandWriter.WriteBulk(_output, value);
            return;
        }
        var span = _output.GetSpan(value.Length + RespCommandWriter.MaxBulkHeaderLength + 2);
        _output.Advance(RespCommandWriter.FormatBulk(span, value));
    }

    private void WriteCrlf()
    {
        var span = _output.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        _output.Advance(2);
    }
}
