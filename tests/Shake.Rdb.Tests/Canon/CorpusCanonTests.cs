using Shake.Rdb.Tests.Fixtures;
using Shake.Testing;

namespace Shake.Rdb.Tests.Canon;

public class CorpusCanonTests
{
    public static TheoryData<string> CanonFiles()
    {
        var data = new TheoryData<string>();
        var root = SharedAssets.PathOf("corpus");
        if (root is null) { data.Add("(absent)"); return data; }
        foreach (var canon in Directory.GetFiles(root, "*.canon.tsv", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(root, canon)[..^".canon.tsv".Length]);
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(CanonFiles))]
    public void LogicalOutputEqualsTheServersCanonicalListing(string name)
    {
        var root = SharedAssets.PathOf("corpus")!;
        var rdb = Path.Combine(root, name + ".rdb");
        var expected = File.ReadAllLines(Path.Combine(root, name + ".canon.tsv"));
        var parsed = RdbFiles.Parse(rdb);
        var actual = CanonicalListing.Build(parsed, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), out int skipped);
        var diff = CanonicalListing.Diff(expected, actual);
        Assert.True(diff.Length == 0, $"{name}: {diff}");
        if (name.EndsWith("corrupt_empty_keys")) Assert.True(skipped > 0);
    }
}
