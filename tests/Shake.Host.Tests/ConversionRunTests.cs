using Shake.Host.Commands;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>The <c>shake</c> executable converts entries its target cannot RESTORE instead of failing them.</summary>
public class ConversionRunTests
{
    [SharedFact]
    public async Task RestoreOfANewerRdbIntoRedis70ConvertsEveryKey()
    {
        using var dir = new TempDir();
        await using var target = await RedisServer.StartAsync();
        var rdb = SharedAssets.PathOf("corpus", "generated", "redis-7.2.6.rdb")!;
        var expectedKeys = File.ReadAllLines(SharedAssets.PathOf("corpus", "generated", "redis-7.2.6.canon.tsv")!)
            .Count(l => l.Length > 0 && !l.StartsWith("-\t", StringComparison.Ordinal));
        var config = dir.Write("restore.toml", $"""
            [rdb_reader]
            filepath = "{rdb}"
            [redis_writer]
            address = "{target.Address}"
            [advanced]
            dir = "{dir.Path}"
            """);

        var (code, output, error) = await ShakeRunner.RunAsync(config);

        Assert.True(code == ExitCodes.Success, error + output);
        // Converted keys are applied keys: the summary's total is every key of the file.
        Assert.Contains($"keys applied={expectedKeys} (restored or set 0, converted {expectedKeys}, ", output);
        Assert.Contains("errors=0", output);
    }
}
