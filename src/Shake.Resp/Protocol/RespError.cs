using System.Buffers;
using System.Globalization;

namespace Shake.Resp.Protocol;

/// <summary>An error reply as a typed result: its class, full message, and for MOVED/ASK the slot and the node to go to.</summary>
public sealed class RespError
{
    private RespError(RespErrorKind kind, string message, int slot, string? endpoint)
    {
        Kind = kind;
        Message = message;
        Slot = slot;
        Endpoint = endpoint;
    }

    /// <summary>The error class.</summary>
    public RespErrorKind Kind { get; }

    /// <summary>The whole message as sent (e.g. <c>MOVED 3999 127.0.0.1:6381</c>).</summary>
    public string Message { get; }

    /// <summary>The hash slot of a MOVED/ASK redirection; -1 otherwise.</summary>
    public int Slot { get; }

    /// <summary>The <c>host:port</c> of a MOVED/ASK redirection; null otherwise.</summary>
    public string? Endpoint { get; }

    /// <summary>Parses an error message (the text after <c>-</c> or the bulk error payload).</summary>
    public static RespError Parse(string message)
    {
        var kind = Classify(new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(message)));
        if (kind is RespErrorKind.Moved or RespErrorKind.Ask)
        {
            var parts = message.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 3 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var slot))
                return new RespError(kind, message, slot, parts[2]);
        }
        return new RespError(kind, message, -1, null);
    }

    /// <summary>Classifies an error message by its first word without allocating.</summary>
    public static RespErrorKind Classify(in ReadOnlySequence<byte> message)
    {
        Span<byte> buffer = stackalloc byte[16];
        var length = (int)Math.Min(message.Length, buffer.Length);
        message.Slice(0, length).CopyTo(buffer);
        var head = buffer[..length];
        var space = head.IndexOf((byte)' ');
        var word = space >= 0 ? head[..space] : head;
        return word switch
        {
            _ when word.SequenceEqual("ERR"u8) => RespErrorKind.Err,
            _ when word.SequenceEqual("BUSYKEY"u8) => RespErrorKind.BusyKey,
            _ when word.SequenceEqual("MOVED"u8) => RespErrorKind.Moved,
            _ when word.SequenceEqual("ASK"u8) => RespErrorKind.Ask,
            _ when word.SequenceEqual("LOADING"u8) => RespErrorKind.Loading,
            _ when word.SequenceEqual("NOSCRIPT"u8) => RespErrorKind.NoScript,
            _ when word.SequenceEqual("WRONGTYPE"u8) => RespErrorKind.WrongType,
            _ when word.SequenceEqual("TRYAGAIN"u8) => RespErrorKind.TryAgain,
            _ when word.SequenceEqual("CLUSTERDOWN"u8) => RespErrorKind.ClusterDown,
            _ when word.SequenceEqual("READONLY"u8) => RespErrorKind.ReadOnly,
            _ when word.SequenceEqual("NOAUTH"u8) => RespErrorKind.NoAuth,
            _ when word.SequenceEqual("WRONGPASS"u8) => RespErrorKind.WrongPass,
            _ when word.SequenceEqual("NOPERM"u8) => RespErrorKind.NoPerm,
            _ when word.SequenceEqual("OOM"u8) => RespErrorKind.Oom,
            _ when word.SequenceEqual("BUSY"u8) => RespErrorKind.Busy,
            _ when word.SequenceEqual("EXECABORT"u8) => RespErrorKind.ExecAbort,
            _ => RespErrorKind.Other,
        };
    }

    /// <inheritdoc />
    public override string ToString() => Message;
}
