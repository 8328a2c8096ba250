using Shake.Rdb.Validation;
using Shake.Testing;

namespace Shake.Rdb.Tests.Validation;

/// <summary>The shared corpus through the whole-file validation pass: every sound file passes, the corrupt one is named.</summary>
public class CorpusValidationTests
{
    [SharedFact]
    public async Task EverySoundCorpusFileValidatesClean()
    {
        var root = SharedAssets.PathOf("corpus")!;
        var files = Directory.GetFiles(root, "*.rdb", SearchOption.AllDirectories).Order().ToList();
        Assert.NotEmpty(files);
        int checkedFiles = 0;
        foreach (var path in files)
        {
            if (Path.GetFileName(path) == "corrupt_ziplist.rdb") continue;
            var result = await RdbFileValidator.ValidateAsync(path, CancellationToken.None);
            Assert.True(result.Bytes > 9, path); // some files hold only scripts or empty keys
            checkedFiles++;
        }
        Assert.True(checkedFiles >= 10, $"only {checkedFiles} corpus files");
    }

    [SharedFact]
    public async Task CorruptZiplistIsRefusedNamingKeyTypeAndOffset()
    {
        var path = SharedAssets.PathOf("corpus", "redis-tests", "corrupt_ziplist.rdb")!;
        var ex = await Assert.ThrowsAsync<RdbFormatException>(() => RdbFileValidator.ValidateAsync(path, CancellationToken.None));
        Assert.Contains("key \"key:000000000091\"", ex.Message);
        Assert.Contains("(hash-ziplist)", ex.Message);
        Assert.Contains("ziplist", ex.Reason);
        Assert.Equal(488, ex.Offset);
    }
}
