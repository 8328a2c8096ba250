using System.Buffers;
using Shake.Rdb.Format;
using Shake.Rdb.Tests.Fixtures;
using Shake.Rdb.Values;

namespace Shake.Rdb.Tests.Canon;

/// <summary>The whole canon.sh listing of a parsed RDB: what a server that loaded it would hold.</summary>
public static class CanonicalListing
{
    /// <summary>Listing lines; <paramref name="emptySkipped"/> counts empty collections a server skips on load.</summary>
    public static List<string> Build(RecordingHandler parsed, long nowMs, out int emptySkipped)
    {
        emptySkipped = 0;
        var keyed = new List<(int Db, string Key, string Line)>();
        using var decoder = new RdbValueDecoder();
        foreach (var e in parsed.Entries)
        {
            if (e.ExpireAtMs >= 0 && e.ExpireAtMs <= nowMs) continue;
            var value = new CanonicalValue(nowMs);
            decoder.Decode(e.Type, new ReadOnlySequence<byte>(e.Raw), e.Magic, ref value);
            if (e.LogicalType != RdbLogicalType.Stream && value.Count(e.LogicalType) == 0)
            {
                emptySkipped++;
                continue;
            }
            var key = CliQuoting.Quote(e.Key);
            var ttl = e.ExpireAtMs >= 0 ? "ttl" : "-";
            keyed.Add((e.Db, key, $"{e.Db}\t{key}\t{RdbTypeInfo.Name(e.LogicalType)}\t{ttl}\t{value.Format(e.LogicalType)}"));
        }
        var lines = keyed.OrderBy(k => k.Db).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Line).ToList();
        lines.AddRange(parsed.Functions.Select(FunctionLibraryCanon.Line).OrderBy(l => l.Split('\t')[2], StringComparer.Ordinal));
        return lines;
    }

    /// <summary>Empty string when equal, otherwise the first differing lines.</summary>
    public static string Diff(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        for (int i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var e = i < expected.Count ? expected[i] : "(none)";
            var a = i < actual.Count ? actual[i] : "(none)";
            if (e != a) return $"line {i + 1} differs\nexpected: {Cut(e)}\nactual:   {Cut(a)}";
        }
        return "";
    }

    private static string Cut(string s) => s.Length > 1500 ? s[..1500] + "..." : s;
}
