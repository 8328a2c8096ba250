using System.Text;

namespace Shake.Core.Writers;

/// <summary>Formats key bytes for messages: printable ASCII as is, anything else as <c>\xNN</c> (like redis-cli).</summary>
public static class KeyText
{
    /// <summary>The key as quoted, escaped text, cut after <paramref name="maxBytes"/> bytes.</summary>
    public static string Format(ReadOnlySpan<byte> key, int maxBytes = 200)
    {
        var text = new StringBuilder(key.Length + 2);
        text.Append('\'');
        foreach (var b in key[..Math.Min(key.Length, maxBytes)])
        {
            if (b is >= 0x20 and < 0x7F && b != '\\' && b != '\'') text.Append((char)b);
            else text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (key.Length > maxBytes) text.Append("...");
        text.Append('\'');
        return text.ToString();
    }
}
