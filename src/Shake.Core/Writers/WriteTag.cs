namespace Shake.Core.Writers;

/// <summary>What a request to the target was, carried with it so its reply can be accounted for.</summary>
public enum WriteKind : byte
{
    /// <summary>A RESTORE of an RDB entry.</summary>
    Restore,

    /// <summary>A <c>SET key value [NX] [PXAT ms]</c> of a string entry (<see cref="EntryForm.Set"/>).</summary>
    SetString,

    /// <summary>
    /// A taken <see cref="StringBatch"/> (<c>MSET</c>/<c>MSETNX</c>): the tag's key buffer holds the whole encoded
    /// request (pooled) and its <see cref="WriteTag.EndOffset"/> the number of keys.
    /// </summary>
    StringBatch,

    /// <summary>The last command of an entry written by an <see cref="IEntryConverter"/>.</summary>
    ConvertedEntry,

    /// <summary>A non-final command of a converted entry.</summary>
    ConvertedPart,

    /// <summary>A command forwarded from the replication stream.</summary>
    StreamCommand,

    /// <summary>Shake's own command (SELECT, FLUSHALL, SCRIPT LOAD, FUNCTION LOAD): an error stops the engine.</summary>
    Control,

    /// <summary><c>FUNCTION LOAD REPLACE</c> of a library from the RDB: an error is reported, not fatal.</summary>
    FunctionLoad,

    /// <summary><c>SCRIPT LOAD</c> of a Lua script from the RDB: an error is reported, not fatal.</summary>
    ScriptLoad,

    /// <summary>A stream command queued in a checkpointed transaction (its reply is <c>+QUEUED</c>; EXEC applies it).</summary>
    QueuedCommand,

    /// <summary>The <c>MULTI</c> of a checkpointed transaction, or the checkpoint update queued in it.</summary>
    TransactionControl,

    /// <summary>
    /// The <c>EXEC</c> of a checkpointed transaction: <see cref="WriteTag.EndOffset"/> is the offset it makes applied and
    /// <see cref="WriteTag.KeyLength"/> the number of forwarded commands in it.
    /// </summary>
    TransactionCommit,

    /// <summary>A checkpoint written on its own (heartbeat, cluster target): an error stops the engine.</summary>
    Checkpoint,
    /// <summary>A <c>WAIT</c> of <c>target_wait_replicas</c> (<see cref="Replication.ReplicaWait"/>); its tag's end offset is the offset it covers.</summary>
    ReplicaWait,
}

/// <summary>
/// The tag of one pipelined request. For entries it holds where a copy of the key lives (the writer's key ring, or a
/// pooled buffer), released when the reply arrives, so errors can name the key; for stream commands the replication
/// offset their bytes end at.
/// </summary>
public readonly struct WriteTag
{
    /// <summary>Creates a tag whose key, if any, is a pooled buffer holding the key from its start.</summary>
    public WriteTag(WriteKind kind, byte[]? key, int keyLength, long endOffset, int db = 0)
        : this(kind, key, 0, keyLength, 0, endOffset, db)
    {
    }

    /// <summary>Creates a tag whose key sits at <paramref name="keyOffset"/> of <paramref name="key"/>; a positive <paramref name="keyRingEnd"/> means the buffer is the writer's key ring.</summary>
    internal WriteTag(WriteKind kind, byte[]? key, int keyOffset, int keyLength, long keyRingEnd, long endOffset, int db)
    {
        Kind = kind;
        Db = db;
        Key = key;
        KeyOffset = keyOffset;
        KeyLength = keyLength;
        KeyRingEnd = keyRingEnd;
        EndOffset = endOffset;
    }

    /// <summary>What the request was.</summary>
    public WriteKind Kind { get; }

    /// <summary>Source database of the entry (for messages).</summary>
    public int Db { get; }

    /// <summary>Buffer holding the key (pooled, or the writer's key ring), or null.</summary>
    public byte[]? Key { get; }

    /// <summary>Where the key starts in <see cref="Key"/>.</summary>
    public int KeyOffset { get; }

    /// <summary>Length of the key in <see cref="Key"/>.</summary>
    public int KeyLength { get; }

    /// <summary>Ring position that frees the key once the reply is handled; 0 when <see cref="Key"/> is pooled.</summary>
    internal long KeyRingEnd { get; }

    /// <summary>Replication offset at the end of the command's bytes (stream commands), the number of keys (<see cref="WriteKind.StringBatch"/>), else 0.</summary>
    public long EndOffset { get; }

    /// <summary>The key bytes.</summary>
    public ReadOnlySpan<byte> KeySpan => Key is null ? default : Key.AsSpan(KeyOffset, KeyLength);
}
