namespace Shake.Resp.Protocol;

/// <summary>
/// Thrown when bytes received are not valid RESP. The message names what was expected, the byte found and the offset.
/// The stream cannot be resynchronised after this: the connection must be dropped.
/// </summary>
public sealed class RespProtocolException : Exception
{
    /// <summary>Creates the exception; the offset is appended to the message.</summary>
    public RespProtocolException(string message, long offset)
        : base($"{message} (at byte offset {offset} of the input being parsed)")
    {
        Offset = offset;
        Reason = message;
    }

    /// <summary>Byte offset, from the start of the sequence being parsed, where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>The message without the offset.</summary>
    public string Reason { get; }

    internal static string Describe(byte b) =>
        b is >= 0x20 and < 0x7f ? $"'{(char)b}' (0x{b:x2})" : $"0x{b:x2}";
}
