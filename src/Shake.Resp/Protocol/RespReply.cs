using System.Buffers;

namespace Shake.Resp.Protocol;

/// <summary>
/// One complete reply as it sits in the input buffer, read without allocating. Valid only until the buffer is advanced:
/// inside a reply callback, copy out (or call <see cref="ToValue"/>) what must outlive it.
/// </summary>
public readonly struct RespReply
{
    internal RespReply(RespToken head, ReadOnlySequence<byte> raw)
    {
        Head = head;
        Raw = raw;
    }

    private static readonly byte[] OkBytes = "+OK\r\n"u8.ToArray();

    /// <summary><c>+OK</c>, for readers that recognise it without parsing (its bytes are not in any input buffer).</summary>
    internal static readonly RespReply SimpleOk = new(
        new RespToken(RespKind.SimpleString, 2, 0, new ReadOnlySequence<byte>(OkBytes, 1, 2)),
        new ReadOnlySequence<byte>(OkBytes));

    /// <summary>The header of the value (attributes before it are passed over).</summary>
    public RespToken Head { get; }

    /// <summary>Every byte of the reply including nested children and leading attributes.</summary>
    public ReadOnlySequence<byte> Raw { get; }

    /// <summary>The frame type of the value.</summary>
    public RespKind Kind => Head.Kind;

    /// <summary>True when the reply is an error (simple or bulk).</summary>
    public bool IsError => Head.Kind.IsError();

    /// <summary>The error class, without allocating; <see cref="RespErrorKind.None"/> when the reply is not an error.</summary>
    public RespErrorKind ErrorKind => IsError ? RespError.Classify(Head.Payload) : RespErrorKind.None;

    /// <summary>The error with its message and redirection details (allocates; only for error replies).</summary>
    public RespError GetError() =>
        IsError ? RespError.Parse(Head.GetString() ?? "") : throw new InvalidOperationException($"the reply is a {Kind}, not an error");

    /// <summary>Materializes the reply into an owned value (allocates).</summary>
    public RespValue ToValue()
    {
        var reader = new SequenceReader<byte>(Raw);
        RespReader.TryReadValue(ref reader, out var value);
        return value;
    }

    /// <inheritdoc />
    public override string ToString() => Head.ToString();
}
