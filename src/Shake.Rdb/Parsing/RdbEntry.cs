using System.Buffers;
using Shake.Rdb.Format;

namespace Shake.Rdb.Parsing;

/// <summary>
/// One key as stored in the RDB: everything needed to RESTORE it without decoding the value.
/// Valid only during <see cref="IRdbHandler.OnEntry"/>: the key and the raw value point into the parser's buffers.
/// </summary>
public readonly ref struct RdbEntry
{
    /// <summary>Creates an entry (the parser does; tests may too).</summary>
    public RdbEntry(int db, ReadOnlySpan<byte> key, byte type, RdbLogicalType logicalType, ReadOnlySequence<byte> rawValue,
        long expireAtMs, long idleSeconds, int frequency, int rdbVersion, RdbMagicKind magic, long offset, ReadOnlySequence<byte> keyMetadata)
    {
        Db = db;
        Key = key;
        Type = type;
        LogicalType = logicalType;
        RawValue = rawValue;
        ExpireAtMs = expireAtMs;
        IdleSeconds = idleSeconds;
        Frequency = frequency;
        RdbVersion = rdbVersion;
        Magic = magic;
        Offset = offset;
        KeyMetadata = keyMetadata;
    }

    /// <summary>Database number (from the last SELECTDB; 0 before any).</summary>
    public int Db { get; }

    /// <summary>The key bytes, decoded (integer-encoded and LZF keys are turned back into their bytes).</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value type byte as stored (interpret with <see cref="Magic"/>); also the first byte of a DUMP payload.</summary>
    public byte Type { get; }

    /// <summary>The data type (string, list, ...).</summary>
    public RdbLogicalType LogicalType { get; }

    /// <summary>The value's bytes exactly as stored, after the key: the DUMP payload body without the type byte.</summary>
    public ReadOnlySequence<byte> RawValue { get; }

    /// <summary>Absolute expiry in Unix milliseconds, or -1 when the key does not expire.</summary>
    public long ExpireAtMs { get; }

    /// <summary>LRU idle time in seconds, or -1 when not stored.</summary>
    public long IdleSeconds { get; }

    /// <summary>LFU frequency counter, or -1 when not stored.</summary>
    public int Frequency { get; }

    /// <summary>RDB version of the file (used for the DUMP payload footer and to interpret encodings).</summary>
    public int RdbVersion { get; }

    /// <summary>Which project's numbering the file uses.</summary>
    public RdbMagicKind Magic { get; }

    /// <summary>Absolute byte offset of the entry's first byte (its first prefix opcode, or its type byte).</summary>
    public long Offset { get; }

    /// <summary>
    /// Raw KEY_META block (Redis RDB 13: module key metadata, from its opcode byte 243 on) that preceded the entry, or
    /// empty. Redis puts the same block in front of the type byte in DUMP payloads.
    /// </summary>
    public ReadOnlySequence<byte> KeyMetadata { get; }
}
