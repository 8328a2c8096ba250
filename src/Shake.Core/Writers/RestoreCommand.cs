using System.Buffers;
using System.Buffers.Text;
using Shake.Rdb.Dump;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Writers;

/// <summary>
/// <c>RESTORE key ttl payload ABSTTL [REPLACE] [IDLETIME s | FREQ f]</c> with the DUMP payload built while writing:
/// type byte, the entry's raw value bytes, RDB version and CRC64. Nothing is copied besides into the output.
/// </summary>
public readonly struct RestoreCommand : IRespCommand
{
    private readonly ReadOnlyMemory<byte> _key;
    private readonly ReadOnlySequence<byte> _rawValue;
    private readonly byte _type;
    private readonly ushort _version;
    private readonly long _expireAtMs;
    private readonly bool _replace;
    private readonly long _idleSeconds;
    private readonly int _frequency;

    /// <summary>Creates the command; <paramref name="rawValue"/> must stay readable until it is written.</summary>
    public RestoreCommand(ReadOnlyMemory<byte> key, byte type, ReadOnlySequence<byte> rawValue, ushort version, long expireAtMs, bool replace, long idleSeconds, int frequency)
    {
        _key = key;
        _type = type;
        _rawValue = rawValue;
        _version = version;
        _expireAtMs = expireAtMs;
        _replace = replace;
        _idleSeconds = idleSeconds;
        _frequency = frequency;
    }

    /// <summary>Length of the DUMP payload this command carries.</summary>
    public long PayloadLength => DumpPayload.Length(_rawValue.Length);

    /// <summary>Keys and values up to this size are formatted in one span; larger ones are streamed part by part.</summary>
    private const int SmallValue = 4096;

    /// <summary>
    /// Upper bound of the command besides key and value bytes: head (17), key header and CRLF (25), TTL (45), payload
    /// header (23), type byte and footer (11), CRLF (2), ABSTTL (12), REPLACE (13), IDLETIME or FREQ (59).
    /// </summary>
    private const int FixedPartsMaxLength = 224;

    /// <inheritdoc />
    public void WriteTo(IBufferWriter<byte> output)
    {
        if (_rawValue.IsSingleSegment && _rawValue.Length <= SmallValue && _key.Length <= SmallValue)
        {
            WriteSmall(output, _rawValue.FirstSpan);
            return;
        }
        var count = 5 + (_replace ? 1 : 0) + (_idleSeconds >= 0 ? 2 : _frequency >= 0 ? 2 : 0);
        RespCommandWriter.WriteArrayHeader(output, count);
        RespCommandWriter.WriteBulk(output, "RESTORE"u8);
        RespCommandWriter.WriteBulk(output, _key.Span);
        RespCommandWriter.WriteBulk(output, _expireAtMs < 0 ? 0 : _expireAtMs);
        WriteBulkHeader(output, DumpPayload.Length(_rawValue.Length));
        DumpPayload.WriteTo(output, _type, _rawValue, _version);
        var crlf = output.GetSpan(2);
        crlf[0] = (byte)'\r';
        crlf[1] = (byte)'\n';
        output.Advance(2);
        RespCommandWriter.WriteBulk(output, "ABSTTL"u8);
        if (_replace) RespCommandWriter.WriteBulk(output, "REPLACE"u8);
        if (_idleSeconds >= 0)
        {
            RespCommandWriter.WriteBulk(output, "IDLETIME"u8);
            RespCommandWriter.WriteBulk(output, _idleSeconds);
        }
        else if (_frequency >= 0)
        {
            RespCommandWriter.WriteBulk(output, "FREQ"u8);
            RespCommandWriter.WriteBulk(output, _frequency);
        }
    }

    /// <summary>
    /// Nearly every key of a sync: the whole command formatted into one span of the output, so the writer is asked for
    /// memory once per command instead of once per part (each an interface call on the connection's pipe).
    /// </summary>
    private void WriteSmall(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        var key = _key.Span;
        var span = output.GetSpan(key.Length + value.Length + FixedPartsMaxLength);
        var count = 5 + (_replace ? 1 : 0) + (_idleSeconds >= 0 || _frequency >= 0 ? 2 : 0);
        span[0] = (byte)'*';
        span[1] = (byte)('0' + count);
        "\r\n$7\r\nRESTORE\r\n"u8.CopyTo(span[2..]);
        var at = 17;
        at += RespCommandWriter.FormatBulk(span[at..], key);
        if (_expireAtMs > 0) at += RespCommandWriter.FormatBulk(span[at..], (ulong)_expireAtMs);
        else
        {
            "$1\r\n0\r\n"u8.CopyTo(span[at..]);
            at += 7;
        }
        at += RespCommandWriter.FormatBulkHeader(span[at..], DumpPayload.Length(value.Length));
        at += DumpPayload.Write(span[at..], _type, value, _version);
        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        "$6\r\nABSTTL\r\n"u8.CopyTo(span[at..]);
        at += 12;
        if (_replace)
        {
            "$7\r\nREPLACE\r\n"u8.CopyTo(span[at..]);
            at += 13;
        }
        if (_idleSeconds >= 0)
        {
            at += RespCommandWriter.FormatBulk(span[at..], "IDLETIME"u8);
            at += RespCommandWriter.FormatBulk(span[at..], (ulong)_idleSeconds);
        }
        else if (_frequency >= 0)
        {
            at += RespCommandWriter.FormatBulk(span[at..], "FREQ"u8);
            at += RespCommandWriter.FormatBulk(span[at..], (ulong)_frequency);
        }
        output.Advance(at);
    }

    private static void WriteBulkHeader(IBufferWriter<byte> output, long length)
    {
        var span = output.GetSpan(24);
        span[0] = (byte)'$';
        Utf8Formatter.TryFormat(length, span[1..], out var digits);
        span[1 + digits] = (byte)'\r';
        span[2 + digits] = (byte)'\n';
        output.Advance(3 + digits);
    }
}
