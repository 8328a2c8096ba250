using System.Text;

namespace Shake.Host.Commands.Rdb;

/// <summary>Key bytes as readable text for messages: printable ASCII as is, other bytes as <c>\xNN</c>.</summary>
internal static class Printable
{
    public static string Of(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            if (b is >= 0x20 and < 0x7f && b != '\\') sb.Append((char)b);
            else sb.Append($"\\x{b:x2}");
        }
        return sb.ToString();
    }
}
