using System.Text;

namespace Shake.Rdb.Tests.Canon;

/// <summary>Quotes bytes exactly like <c>redis-cli --no-raw</c> (sdscatrepr).</summary>
public static class CliQuoting
{
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length + 2);
        sb.Append('"');
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case 7: sb.Append("\\a"); break;
                case 8: sb.Append("\\b"); break;
                default:
                    if (b >= 0x20 && b <= 0x7e) sb.Append((char)b);
                    else sb.Append("\\x").Append(b.ToString("x2"));
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }

    public static string Quote(string ascii) => Quote(Encoding.UTF8.GetBytes(ascii));
}
