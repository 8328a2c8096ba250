using Shake.Rdb.Parsing;
using Shake.Resp.Pipelining;

namespace Shake.Core.Writers;

/// <summary>
/// Turns an RDB entry into plain commands (RPUSH, HSET, XADD, ...) for when RESTORE cannot serve it: the target's RDB
/// version is older than the source's, or the payload is larger than the target's <c>proto-max-bulk-len</c>.
/// The writer sets the target database before calling and handles TTL, counting and ordering.
/// </summary>
public interface IEntryConverter
{
    /// <summary>
    /// Writes the commands recreating <paramref name="entry"/> (including its expiry) through <paramref name="sink"/>.
    /// A command may reference the entry's raw value (valid until the writer's pending writes complete) but not
    /// spans of the converter's own scratch memory unless it copies them.
    /// </summary>
    void Convert(in RdbEntry entry, IEntryCommandSink sink);
}

/// <summary>Where an <see cref="IEntryConverter"/> writes the commands of one entry, in order.</summary>
public interface IEntryCommandSink
{
    /// <summary>Queues one command to the target.</summary>
    void Write<TCommand>(TCommand command) where TCommand : IRespCommand;
}
