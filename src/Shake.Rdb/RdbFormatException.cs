namespace Shake.Rdb;

/// <summary>
/// Thrown when RDB bytes are not a valid RDB: truncated, corrupt, an unknown type or opcode, an absurd length.
/// The message names what was expected; <see cref="Offset"/> is the byte offset where the problem was found.
/// </summary>
public sealed class RdbFormatException : Exception
{
    /// <summary>Creates the exception; the offset is appended to the message.</summary>
    public RdbFormatException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
        Reason = message;
    }

    /// <summary>Byte offset from the start of the input (or of the enclosing blob, see the message) where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>The message without the offset.</summary>
    public string Reason { get; }
}
