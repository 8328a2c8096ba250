namespace Shake.Rdb.Format;

/// <summary>Opcodes of module-serialised data (rdb.h <c>RDB_MODULE_OPCODE_*</c>), each written as an RDB length.</summary>
public static class ModuleOpcode
{
    /// <summary>End of the module value.</summary>
    public const ulong Eof = 0;
    /// <summary>Signed integer, as an RDB length.</summary>
    public const ulong SignedInt = 1;
    /// <summary>Unsigned integer, as an RDB length.</summary>
    public const ulong UnsignedInt = 2;
    /// <summary>Binary float, 4 bytes.</summary>
    public const ulong Float = 3;
    /// <summary>Binary double, 8 bytes.</summary>
    public const ulong Double = 4;
    /// <summary>RDB string.</summary>
    public const ulong String = 5;
}
