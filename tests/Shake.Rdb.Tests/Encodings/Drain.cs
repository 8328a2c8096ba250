using System.Text;
using Shake.Rdb.Encodings;

namespace Shake.Rdb.Tests.Encodings;

/// <summary>Reads whole compact structures into plain lists of strings for comparison with server replies.</summary>
internal static class Drain
{
    public static string Text(CompactElement e)
    {
        var buffer = new byte[e.FormattedLength];
        Assert.Equal(buffer.Length, e.FormatTo(buffer));
        return Encoding.Latin1.GetString(buffer);
    }

    public static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    public static List<string> Listpack(ReadOnlySpan<byte> blob)
    {
        var result = new List<string>();
        var reader = new ListpackReader(blob);
        while (reader.TryRead(out var e)) result.Add(Text(e));
        Assert.False(reader.TryRead(out _));
        return result;
    }

    public static List<string> Ziplist(ReadOnlySpan<byte> blob)
    {
        var result = new List<string>();
        var reader = new ZiplistReader(blob);
        while (reader.TryRead(out var e)) result.Add(Text(e));
        Assert.False(reader.TryRead(out _));
        return result;
    }

    public static List<long> Intset(ReadOnlySpan<byte> blob)
    {
        var result = new List<long>();
        var reader = new IntsetReader(blob);
        while (reader.TryRead(out var v)) result.Add(v);
        return result;
    }

    public static List<string> Zipmap(ReadOnlySpan<byte> blob)
    {
        var result = new List<string>();
        var reader = new ZipmapReader(blob);
        while (reader.TryRead(out var f, out var v)) { result.Add(Text(f.ToArray())); result.Add(Text(v.ToArray())); }
        Assert.False(reader.TryRead(out _, out _));
        return result;
    }

    /// <summary>Entries as "ms-seq" followed by field/value texts; deleted entries are skipped.</summary>
    public static List<string> Stream(ReadOnlySpan<byte> listpack, ulong ms, ulong seq, bool includeDeleted = false, bool readFields = true)
    {
        var result = new List<string>();
        var reader = new StreamListpackReader(listpack, ms, seq);
        while (reader.TryReadEntry(out var header))
        {
            if (header.IsDeleted && !includeDeleted) continue;
            result.Add($"{header.Milliseconds}-{header.Sequence}");
            if (!readFields) continue;
            var fields = 0;
            while (reader.TryReadField(out var f, out var v)) { result.Add(Text(f)); result.Add(Text(v)); fields++; }
            Assert.Equal(header.FieldCount, fields);
        }
        return result;
    }

    /// <summary>Runs <paramref name="read"/> and accepts only success or <see cref="RdbFormatException"/>.</summary>
    public static bool SurvivesOrRejects(Action read)
    {
        try
        {
            read();
            return true;
        }
        catch (RdbFormatException)
        {
            return false;
        }
    }
}
