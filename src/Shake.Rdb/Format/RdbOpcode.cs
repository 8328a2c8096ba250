namespace Shake.Rdb.Format;

/// <summary>Opcode bytes of the RDB body (rdb.h <c>RDB_OPCODE_*</c>); numbers below 242 are value types.</summary>
public static class RdbOpcode
{
    /// <summary>Valkey 9.2+: a replication command inlined during a forkless save (Valkey files only).</summary>
    public const byte ValkeyUpdate = 242;

    /// <summary>243 in Redis files (RDB 13): module key metadata preceding an entry.</summary>
    public const byte KeyMeta = 243;

    /// <summary>243 in Valkey files (RDB 80): slot import state.</summary>
    public const byte ValkeySlotImport = 243;

    /// <summary>Cluster slot sizing hint: slot id, slot size, expires size.</summary>
    public const byte SlotInfo = 244;

    /// <summary>A function library (its code as one string).</summary>
    public const byte Function2 = 245;

    /// <summary>Function library format of Redis 7.0 release candidates (refused by Redis too).</summary>
    public const byte FunctionPreGa = 246;

    /// <summary>Module auxiliary data.</summary>
    public const byte ModuleAux = 247;

    /// <summary>LRU idle time of the next entry, in seconds.</summary>
    public const byte Idle = 248;

    /// <summary>LFU frequency of the next entry (one byte).</summary>
    public const byte Freq = 249;

    /// <summary>Auxiliary string field (key, value).</summary>
    public const byte Aux = 250;

    /// <summary>Hash table size hints for the current database.</summary>
    public const byte ResizeDb = 251;

    /// <summary>Absolute expiry of the next entry in milliseconds (8 bytes little-endian).</summary>
    public const byte ExpireTimeMs = 252;

    /// <summary>Absolute expiry of the next entry in seconds (4 bytes little-endian), RDB &lt; 3.</summary>
    public const byte ExpireTime = 253;

    /// <summary>Database number of the following entries.</summary>
    public const byte SelectDb = 254;

    /// <summary>End of the body; an 8-byte CRC64 follows from RDB 5 on.</summary>
    public const byte Eof = 255;
}
