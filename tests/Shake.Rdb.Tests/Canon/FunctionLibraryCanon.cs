using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Shake.Rdb.Tests.Canon;

/// <summary>Formats a function library's code like canon.sh's FUNCTION LIST line (a small Lua scan, enough for register_function calls).</summary>
public static partial class FunctionLibraryCanon
{
    public static string Line(byte[] code)
    {
        var text = Encoding.UTF8.GetString(code);
        var header = ShebangRegex().Match(text);
        var engine = header.Groups[1].Value.ToUpperInvariant();
        var name = header.Groups[2].Value;
        var functions = new List<string>();
        foreach (Match call in PositionalRegex().Matches(text))
            functions.Add(CliQuoting.Quote(call.Groups[2].Value) + "{flags=[];desc=nil}");
        foreach (Match table in TableRegex().Matches(text))
        {
            var body = table.Groups[1].Value;
            var fname = FieldRegex("function_name").Match(body).Groups[2].Value;
            var flags = FlagsRegex().Match(body);
            var flagList = flags.Success ? QuotedRegex().Matches(flags.Groups[1].Value).Select(m => m.Groups[2].Value) : [];
            var desc = FieldRegex("description").Match(body);
            functions.Add(CliQuoting.Quote(fname) + "{flags=[" + string.Join('|', flagList) + "];desc=" + (desc.Success ? CliQuoting.Quote(desc.Groups[2].Value) : "nil") + "}");
        }
        functions.Sort(StringComparer.Ordinal);
        var sha = Convert.ToHexString(SHA256.HashData(Encoding.Latin1.GetBytes(CliQuoting.Quote(code)))).ToLowerInvariant();
        return $"-\tfunction\t{CliQuoting.Quote(name)}\t{CliQuoting.Quote(engine)}\tfunctions=[{string.Join(',', functions)}] code-sha256:{sha}";
    }

    private static Regex FieldRegex(string field) => new(field + @"\s*=\s*(['""])(.*?)\1", RegexOptions.Singleline);

    [GeneratedRegex(@"^#!(\w+)\s+name=(\S+)")]
    private static partial Regex ShebangRegex();

    [GeneratedRegex(@"register_function\s*\(\s*(['""])(.*?)\1", RegexOptions.Singleline)]
    private static partial Regex PositionalRegex();

    [GeneratedRegex(@"register_function\s*\{(.*?)\}\s*\)?\s*(?:\n|$)", RegexOptions.Singleline)]
    private static partial Regex TableRegex();

    [GeneratedRegex(@"flags\s*=\s*\{([^}]*)\}", RegexOptions.Singleline)]
    private static partial Regex FlagsRegex();

    [GeneratedRegex(@"(['""])(.*?)\1")]
    private static partial Regex QuotedRegex();
}
