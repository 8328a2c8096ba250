namespace Shake.Rdb.Format;

/// <summary>
/// Which project wrote the file, read from its magic. Type and opcode numbers from 22 and 242 up mean
/// different things in Redis and Valkey files, so every such number is interpreted through this.
/// </summary>
public enum RdbMagicKind
{
    /// <summary><c>REDIS</c> + four digits: Redis (any version) and Valkey up to 8.x (RDB 11).</summary>
    Redis,

    /// <summary><c>VALKEY</c> + three digits: Valkey 9 and later (RDB 80 and up).</summary>
    Valkey,
}
