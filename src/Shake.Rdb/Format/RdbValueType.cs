namespace Shake.Rdb.Format;

/// <summary>Value type bytes (rdb.h <c>RDB_TYPE_*</c>). Numbers from 22 up depend on the file's <see cref="RdbMagicKind"/>.</summary>
public static class RdbValueType
{
    /// <summary>String (raw, integer or LZF encoded).</summary>
    public const byte String = 0;
    /// <summary>List as a sequence of strings.</summary>
    public const byte List = 1;
    /// <summary>Set as a sequence of strings.</summary>
    public const byte Set = 2;
    /// <summary>Sorted set with scores as length-prefixed text.</summary>
    public const byte ZSet = 3;
    /// <summary>Hash as field/value string pairs.</summary>
    public const byte Hash = 4;
    /// <summary>Sorted set with binary (IEEE 754) scores.</summary>
    public const byte ZSet2 = 5;
    /// <summary>Module value of Redis 4.0 release candidates (refused by Redis too).</summary>
    public const byte ModulePreGa = 6;
    /// <summary>Module value: 64-bit module type id, then self-describing opcodes until EOF.</summary>
    public const byte Module2 = 7;
    /// <summary>Hash as a zipmap blob.</summary>
    public const byte HashZipmap = 9;
    /// <summary>List as a ziplist blob.</summary>
    public const byte ListZiplist = 10;
    /// <summary>Set as an intset blob.</summary>
    public const byte SetIntset = 11;
    /// <summary>Sorted set as a ziplist blob.</summary>
    public const byte ZSetZiplist = 12;
    /// <summary>Hash as a ziplist blob.</summary>
    public const byte HashZiplist = 13;
    /// <summary>List as a quicklist of ziplists.</summary>
    public const byte ListQuicklist = 14;
    /// <summary>Stream, first layout.</summary>
    public const byte StreamListpacks = 15;
    /// <summary>Hash as a listpack blob.</summary>
    public const byte HashListpack = 16;
    /// <summary>Sorted set as a listpack blob.</summary>
    public const byte ZSetListpack = 17;
    /// <summary>List as a quicklist of plain or listpack nodes.</summary>
    public const byte ListQuicklist2 = 18;
    /// <summary>Stream with first id, max deleted id, entries added and group entries-read.</summary>
    public const byte StreamListpacks2 = 19;
    /// <summary>Set as a listpack blob.</summary>
    public const byte SetListpack = 20;
    /// <summary>Stream with consumer active time.</summary>
    public const byte StreamListpacks3 = 21;
    /// <summary>Redis 7.4 release candidates: hash with field TTLs (absolute), no minimum expiry header.</summary>
    public const byte RedisHashMetadataPreGa = 22;
    /// <summary>Redis 7.4 release candidates: listpack hash with field TTLs, no minimum expiry header.</summary>
    public const byte RedisHashListpackExPreGa = 23;
    /// <summary>Redis 7.4+: hash with field TTLs relative to a minimum expiry header.</summary>
    public const byte RedisHashMetadata = 24;
    /// <summary>Redis 7.4+: listpack hash of field/value/ttl triplets after a minimum expiry header.</summary>
    public const byte RedisHashListpackEx = 25;
    /// <summary>Redis 8.6 (RDB 13): stream followed by idempotent-producer (IDMP) state.</summary>
    public const byte RedisStreamListpacks4 = 26;
    /// <summary>Valkey 9: hash whose entries each carry an absolute expiry (-1 none).</summary>
    public const byte ValkeyHash2 = 22;
    /// <summary>Valkey 9.2: path hash. Recognised, not decoded.</summary>
    public const byte ValkeyPathHash = 23;
}
