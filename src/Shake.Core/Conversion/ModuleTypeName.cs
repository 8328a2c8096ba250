namespace Shake.Core.Conversion;

/// <summary>Decodes the 9-character module type name and encoding version packed into a 64-bit RDB module id.</summary>
public static class ModuleTypeName
{
    private const string Charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>The type name, e.g. <c>ReJSON-RL</c>: 9 characters of 6 bits each above the 10-bit encoding version.</summary>
    public static string Name(ulong moduleId)
    {
        Span<char> name = stackalloc char[9];
        var bits = moduleId >> 10;
        for (var i = 8; i >= 0; i--)
        {
            name[i] = Charset[(int)(bits & 63)];
            bits >>= 6;
        }
        return new string(name);
    }

    /// <summary>The module's encoding version (low 10 bits).</summary>
    public static int EncodingVersion(ulong moduleId) => (int)(moduleId & 1023);
}
