using System.Buffers;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Writers;

/// <summary>
/// <c>SET key value [NX] [PXAT ms]</c> for a string entry, formatted in one span. A ref struct: key and value may lie in
/// the parser's buffers or a scratch buffer, so it is only written at once (<c>TryEnqueue</c>), never queued.
/// </summary>
public readonly ref struct SetStringCommand : IRespCommand
{
    private readonly ReadOnlySpan<byte> _key;
    private readonly ReadOnlySpan<byte> _value;
    private readonly long _expireAtMs;
    private readonly bool _nx;

    /// <summary>Creates the command; <paramref name="expireAtMs"/> below 0 means no TTL, <paramref name="nx"/> only sets a missing key.</summary>
    public SetStringCommand(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expireAtMs, bool nx)
    {
        _key = key;
        _value = value;
        _expireAtMs = expireAtMs;
        _nx = nx;
    }

    /// <inheritdoc />
    public void WriteTo(IBufferWriter<byte> output)
    {
        // Head (13), key and value headers and CRLFs (2 x 25), NX (8), PXAT and its time (10 + 26).
        var span = output.GetSpan(_key.Length + _value.Length + 112);
        var count = 3 + (_nx ? 1 : 0) + (_expireAtMs >= 0 ? 2 : 0);
        span[0] = (byte)'*';
        span[1] = (byte)('0' + count);
        "\r\n$3\r\nSET\r\n"u8.CopyTo(span[2..]);
        var at = 13;
        at += RespCommandWriter.FormatBulk(span[at..], _key);
        at += RespCommandWriter.FormatBulk(span[at..], _value);
        if (_nx)
        {
            "$2\r\nNX\r\n"u8.CopyTo(span[at..]);
            at += 8;
        }
        if (_expireAtMs >= 0)
        {
            "$4\r\nPXAT\r\n"u8.CopyTo(span[at..]);
            at += 10;
            at += RespCommandWriter.FormatBulk(span[at..], (ulong)_expireAtMs);
        }
        output.Advance(at);
    }
}

/// <summary>A request already encoded in a pooled buffer (a taken <see cref="StringBatch"/>), copied into the output.</summary>
public readonly struct PooledRequestCommand(byte[] buffer, int offset, int length) : IRespCommand
{
    /// <inheritdoc />
    public void WriteTo(IBufferWriter<byte> output) => output.Write(buffer.AsSpan(offset, length));
}
