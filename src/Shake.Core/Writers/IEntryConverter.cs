using Shake.Core.Configuration;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;
using Shake.Resp.Pipelining;

namespace Shake.Core.Writers;

/// <summary>
/// Turns an RDB entry into plain commands (RPUSH, HSET, XADD, ...) for when RESTORE cannot serve it: the target's RDB
/// version is older than the source's, or the payload is larger than the target's <c>proto-max-bulk-len</c>.
/// The writer sets the target database before calling and counts the key from the reply of the final command.
/// </summary>
public interface IEntryConverter
{
    /// <summary>
    /// Writes the commands recreating <paramref name="entry"/> (including its expiry) through <paramref name="sink"/>,
    /// ending with exactly one <see cref="IEntryCommandSink.WriteFinal{TCommand}"/>. Commands must own their bytes
    /// (the entry's buffers and the converter's scratch memory are reused once the call returns).
    /// Throws <see cref="EntryConversionException"/> naming the key when the entry cannot be converted; commands
    /// already written for it must leave the target's key untouched.
    /// </summary>
    void Convert(in RdbEntry entry, IEntryCommandSink sink);
}

/// <summary>
/// An <see cref="IEntryConverter"/> that can also take a value element by element, for values too large to hold
/// whole: <see cref="BeginStreaming"/> with the entry's header (its <see cref="RdbEntry.RawValue"/> is empty), the
/// elements through the visitor it returns, then <see cref="EndStreaming"/>.
/// </summary>
public interface IStreamingEntryConverter : IEntryConverter
{
    /// <summary>
    /// Starts converting <paramref name="entry"/> (commands go to <paramref name="sink"/>) and returns the visitor for its
    /// elements. The visitor never throws: a failure is kept and reported by <see cref="EndStreaming"/>, and the elements
    /// after it are ignored. Throws <see cref="EntryConversionException"/> when the entry cannot be converted at all.
    /// </summary>
    IRdbValueVisitor BeginStreaming(in RdbEntry entry, IEntryCommandSink sink);

    /// <summary>
    /// Ends the entry begun by <see cref="BeginStreaming"/>: the last batch, then exactly one
    /// <see cref="IEntryCommandSink.WriteFinal{TCommand}"/>; or, when an element could not be converted, removes what
    /// was written and throws <see cref="EntryConversionException"/> naming the key.
    /// </summary>
    void EndStreaming(IEntryCommandSink sink);
}

/// <summary>Where an <see cref="IEntryConverter"/> writes the commands of one entry, in order, and what it may know of the target.</summary>
public interface IEntryCommandSink
{
    /// <summary>What the target reported about itself (version decides which commands exist).</summary>
    TargetInfo Info { get; }

    /// <summary>Largest bulk argument the target accepts (<c>target_redis_proto_max_bulk_len</c> or its own setting).</summary>
    long ProtoMaxBulkLength { get; }

    /// <summary>What to do when the key already exists on the target.</summary>
    RestoreBehavior Behavior { get; }

    /// <summary>Queues one command of the entry.</summary>
    void Write<TCommand>(TCommand command) where TCommand : IRespCommand;

    /// <summary>
    /// Queues the command that makes the entry visible under its key. Its reply decides how the key is counted:
    /// a <c>BUSYKEY</c> error or the integer 0 means the key already existed (handled like RESTORE's BUSYKEY under
    /// <see cref="Behavior"/>), another error means the key failed, anything else that it was converted.
    /// </summary>
    void WriteFinal<TCommand>(TCommand command) where TCommand : IRespCommand;
}

/// <summary>An entry that cannot be written as plain commands (module value, element over the bulk limit, ...).</summary>
public sealed class EntryConversionException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> names the key, its type and why.</summary>
    public EntryConversionException(string message) : base(message)
    {
    }
}
