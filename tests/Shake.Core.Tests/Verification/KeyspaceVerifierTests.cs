using System.Text;
using Shake.Core.Configuration;
using Shake.Core.Verification.Model;
using Shake.Testing;
using static Shake.Core.Tests.Verification.VerifyHarness;

namespace Shake.Core.Tests.Verification;

public class KeyspaceVerifierTests
{
    private static async Task<(RedisServer Source, RedisServer Target)> StartPairWithEverythingAsync(params int[] dbs)
    {
        var source = await RedisServer.StartAsync();
        var target = await RedisServer.StartAsync();
        foreach (var db in dbs.DefaultIfEmpty(0))
        {
            await RunAsync(source.Address, db, Everything());
            await RunAsync(target.Address, db, Everything());
        }
        return (source, target);
    }

    private static IEnumerable<(string Key, DifferenceKind Kind)> Found(VerifyResult result) =>
        result.Differences.Select(d => (Encoding.UTF8.GetString(d.Key), d.Kind)).Order();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EqualDataIsEqual(bool serverDigest)
    {
        var (source, target) = await StartPairWithEverythingAsync(0, 3);
        await using var s = source;
        await using var t = target;

        var result = await VerifyAsync(Side(source.Address), Side(target.Address), Quick with { ServerDigest = serverDigest });

        Assert.True(result.Equal, string.Join("\n", result.Differences));
        Assert.Equal(2 * Everything().Select(c => c[1]).Where(k => k != "CREATE").Distinct().Count(), result.Compared);
        Assert.Equal(0, result.Rounds);
        Assert.Equal(serverDigest, result.ServerDigests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EveryKindOfDifferenceIsFoundWithItsKey(bool serverDigest)
    {
        var (source, target) = await StartPairWithEverythingAsync();
        await using var s = source;
        await using var t = target;
        await RunAsync(target.Address, 0,
            ["DEL", "small:7"],
            ["SET", "only-on-target", "x"],
            ["DEL", "list"], ["SET", "list", "now a string"],
            ["PERSIST", "str:ttl"],
            ["PEXPIRE", "hash", "600000"],
            ["SET", "str", "valuE"],
            ["SETRANGE", "str:big", "4000", "y"],
            ["LSET", "list:big", "150", "changed"],
            ["SREM", "set", "c"], ["SADD", "set", "d"],
            ["SREM", "set:big", "m77"], ["SADD", "set:big", "m77x"],
            ["ZADD", "zset", "3", "a"],
            ["ZADD", "zset:big", "1000", "m5"],
            ["HSET", "hash:big", "f123", "other"],
            ["XADD", "stream", "3-1", "f", "extra"],
            ["SET", "str:empty", " "]);

        var result = await VerifyAsync(Side(source.Address), Side(target.Address), Quick with { ServerDigest = serverDigest });

        (string, DifferenceKind)[] expected =
        [
            ("hash", DifferenceKind.Ttl),
            ("hash:big", DifferenceKind.Value),
            ("list", DifferenceKind.Type),
            ("list:big", DifferenceKind.Value),
            ("only-on-target", DifferenceKind.ExtraOnTarget),
            ("set", DifferenceKind.Value),
            ("set:big", DifferenceKind.Value),
            ("small:7", DifferenceKind.MissingOnTarget),
            ("str", DifferenceKind.Value),
            ("str:big", DifferenceKind.Value),
            ("str:empty", DifferenceKind.Value),
            ("str:ttl", DifferenceKind.Ttl),
            ("stream", DifferenceKind.Value),
            ("zset", DifferenceKind.Value),
            ("zset:big", DifferenceKind.Value),
        ];
        Assert.Equal(expected.Order(), Found(result));
        var hashBig = result.Differences.Single(d => d.Key.SequenceEqual("hash:big"u8.ToArray()));
        Assert.Equal((300, 300), (hashBig.SourceLength, hashBig.TargetLength));
        var missing = result.Differences.Single(d => d.Kind == DifferenceKind.MissingOnTarget);
        Assert.Equal((RedisValueType.String, RedisValueType.None, 0, 0), (missing.Source.Type, missing.Target.Type, missing.SourceDb, missing.TargetDb));
        var extra = result.Differences.Single(d => d.Kind == DifferenceKind.ExtraOnTarget);
        Assert.Equal((-1, 0, RedisValueType.String), (extra.SourceDb, extra.TargetDb, extra.Target.Type));
    }

    [Fact]
    public async Task StreamGroupsAreCompared()
    {
        var (source, target) = await StartPairWithEverythingAsync();
        await using var s = source;
        await using var t = target;
        await RunAsync(target.Address, 0, ["XGROUP", "SETID", "stream", "g1", "2-1"]);

        var result = await VerifyAsync(Side(source.Address), Side(target.Address));

        Assert.Equal([("stream", DifferenceKind.Value)], Found(result));
    }

    [Fact]
    public async Task ServersRefusingDebugAreComparedByValue()
    {
        await using var source = await RedisServer.StartAsync(["--enable-debug-command", "no"]);
        await using var target = await RedisServer.StartAsync(["--enable-debug-command", "no"]);
        await RunAsync(source.Address, 0, Everything());
        await RunAsync(target.Address, 0, Everything());
        await RunAsync(target.Address, 0, ["HSET", "hash:big", "f1", "x"]);

        var result = await VerifyAsync(Side(source.Address), Side(target.Address));

        Assert.False(result.ServerDigests);
        Assert.Equal([("hash:big", DifferenceKind.Value)], Found(result));
    }

    [Fact]
    public async Task ATargetThatCatchesUpWithinTheRoundsIsNotReported()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await RunAsync(source.Address, 0, Everything());
        var lagging = Everything().Where(c => c[1] != "hash:big" && c[1] != "small:3").ToArray();
        await RunAsync(target.Address, 0, lagging);
        await RunAsync(target.Address, 0, ["SET", "deleted-on-source-soon", "x"]);

        var catchUp = Task.Run(async () =>
        {
            await Task.Delay(700);
            await RunAsync(target.Address, 0, Everything().Where(c => c[1] is "hash:big" or "small:3").ToArray());
            await RunAsync(target.Address, 0, ["DEL", "deleted-on-source-soon"]);
        });
        var result = await VerifyAsync(Side(source.Address), Side(target.Address), Quick with { Rounds = 10, RoundDelay = TimeSpan.FromMilliseconds(300) });
        await catchUp;

        Assert.True(result.Equal, string.Join("\n", result.Differences));
        Assert.Equal(3, result.FirstPass.Values.Sum());
        Assert.InRange(result.Rounds, 1, 10);
    }

    [Fact]
    public async Task AKeyStillDifferentAfterTheRoundsIsReported()
    {
        var (source, target) = await StartPairWithEverythingAsync();
        await using var s = source;
        await using var t = target;
        await RunAsync(target.Address, 0, ["DEL", "small:1"]);

        var result = await VerifyAsync(Side(source.Address), Side(target.Address), Quick with { Rounds = 2, RoundDelay = TimeSpan.FromMilliseconds(10) });

        Assert.Equal(2, result.Rounds);
        Assert.Equal([("small:1", DifferenceKind.MissingOnTarget)], Found(result));
    }

    [Fact]
    public async Task FiltersAndDatabasesAreHonoured()
    {
        var (source, target) = await StartPairWithEverythingAsync(0, 1, 2);
        await using var s = source;
        await using var t = target;
        await RunAsync(source.Address, 0, ["SET", "tmp:only-source", "x"], ["SET", "small:1", "changed-but-filtered-db-0-has-it"]);
        await RunAsync(target.Address, 0, ["SET", "tmp:only-target", "x"], ["SET", "small:1", "changed-but-filtered-db-0-has-it"]);
        await RunAsync(target.Address, 1, ["DEL", "small:2"], ["SET", "tmp:x", "not carried"], ["SET", "extra-in-1", "x"]);
        await RunAsync(target.Address, 2, ["DEL", "small:3"], ["SET", "extra-in-2", "x"]);
        var filter = new FilterOptions { BlockKeyPrefix = ["tmp:"], AllowDb = [0, 1] };

        var result = await VerifyAsync(Side(source.Address), Side(target.Address), filter: filter);

        Assert.Equal([("extra-in-1", DifferenceKind.ExtraOnTarget), ("small:2", DifferenceKind.MissingOnTarget)], Found(result));
        Assert.All(result.Differences, d => Assert.Equal(1, d.TargetDb));
        Assert.Equal(1, result.Filtered);
    }

    [Fact]
    public async Task TypeFiltersLeaveOtherTypesOut()
    {
        var (source, target) = await StartPairWithEverythingAsync();
        await using var s = source;
        await using var t = target;
        await RunAsync(target.Address, 0, ["DEL", "hash", "hash:big", "small:1"], ["HSET", "extra-hash", "f", "v"]);

        var result = await VerifyAsync(Side(source.Address), Side(target.Address), filter: new FilterOptions { BlockCommandGroup = ["HASH"] });

        Assert.Equal([("small:1", DifferenceKind.MissingOnTarget)], Found(result));
        Assert.Equal(3, result.Filtered);
    }

    [Fact]
    public async Task SamplesCompareAboutTheAskedShare()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "10000", "k", "8");
        await target.CliAsync("DEBUG", "POPULATE", "10000", "k", "8");

        var percent = await VerifyAsync(Side(source.Address), Side(target.Address), Quick with { Mode = VerifyMode.SamplePercent, SamplePercent = 10 });
        var count = await VerifyAsync(Side(source.Address), Side(target.Address), Quick with { Mode = VerifyMode.SampleCount, SampleCount = 500 });

        Assert.True(percent.Equal);
        Assert.InRange(percent.Compared, 800, 1200);
        Assert.True(count.Equal);
        Assert.Equal(500, count.Compared);
    }

    [Fact]
    public async Task TheRateLimitSpacesTheReads()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "3000", "k", "8");
        await target.CliAsync("DEBUG", "POPULATE", "3000", "k", "8");

        var result = await VerifyAsync(Side(source.Address), Side(target.Address), Quick with { RateLimit = 5000 });

        Assert.True(result.Equal);
        // 3000 source keys and 0 target keys (the counts match) at 5000 keys/s: the first batch is free.
        Assert.True(result.Elapsed >= TimeSpan.FromMilliseconds(500), $"took {result.Elapsed}");
    }

    [Fact]
    public async Task AFarAwayTargetStopsTheRunEarly()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "5000", "k", "8");

        var result = await VerifyAsync(Side(source.Address), Side(target.Address), Quick with { MaxDifferences = 300 });

        Assert.True(result.Truncated);
        Assert.Equal(0, result.Rounds);
        Assert.InRange(result.Differences.Count, 300, 300 + 8 * Quick.BatchSize);
        Assert.True(result.Compared < 5000);
        Assert.All(result.Differences, d => Assert.Equal(DifferenceKind.MissingOnTarget, d.Kind));
    }

    [SharedTheory]
    [InlineData("redis-server-7.2.6")]
    [InlineData("redis-server-7.4.1")]
    [InlineData("valkey-server-8.0.1")]
    public async Task ATargetOfAnotherVersionHoldingTheSameDataIsEqual(string server)
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync(serverPath: SharedAssets.PathOf("servers", server));
        await RunAsync(source.Address, 0, Everything());
        await RunAsync(target.Address, 0, Everything());

        var equal = await VerifyAsync(Side(source.Address), Side(target.Address));
        Assert.True(equal.Equal, string.Join("\n", equal.Differences));

        await RunAsync(target.Address, 0, ["ZADD", "zset:big", "0.5", "m1"]);
        var different = await VerifyAsync(Side(source.Address), Side(target.Address));
        Assert.Equal([("zset:big", DifferenceKind.Value)], Found(different));
    }
}
