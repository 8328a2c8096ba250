using System.Runtime.InteropServices;

namespace Shake.Core.Filters.Functions;

/// <summary>
/// The two calls of Lua's C API that KeraLua only offers through managed arrays: pushing and reading a string as
/// bytes in place, so arguments go into and out of the Lua state without a copy per argument on the managed heap.
/// The library is the one KeraLua ships (<c>lua54</c>).
/// </summary>
internal static unsafe partial class LuaNative
{
    private const string Library = "lua54";

    [LibraryImport(Library, EntryPoint = "lua_pushlstring")]
    private static partial IntPtr PushLString(IntPtr state, byte* bytes, nuint length);

    [LibraryImport(Library, EntryPoint = "lua_tolstring")]
    private static partial byte* ToLString(IntPtr state, int index, out nuint length);

    /// <summary>Pushes <paramref name="bytes"/> as a Lua string.</summary>
    public static void PushBytes(IntPtr state, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes) PushLString(state, p, (nuint)bytes.Length);
    }

    /// <summary>
    /// The string (or number, converted in place) at <paramref name="index"/> as a span into the Lua state, valid while
    /// the value stays on the stack; empty and false for any other type.
    /// </summary>
    public static bool TryGetBytes(IntPtr state, int index, out ReadOnlySpan<byte> bytes)
    {
        var p = ToLString(state, index, out var length);
        if (p == null)
        {
            bytes = default;
            return false;
        }
        bytes = new ReadOnlySpan<byte>(p, checked((int)length));
        return true;
    }
}
