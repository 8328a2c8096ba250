using System.Globalization;
using System.Text;
using Shake.Core.Cluster;
using Shake.Core.Engine;
using Shake.Core.Routing;
using Shake.Core.Tests.Engine;
using Shake.Core.Writers;
using Shake.Resp.Connections;
using Shake.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Writers;

/// <summary><see cref="ITargetWriter.DeleteSlotsAsync"/> on a real standalone server: one database, binary keys, kept checkpoints.</summary>
public sealed class SlotSweepTests(ITestOutputHelper output)
{
    private static readonly SlotRange[] LowerHalf = [new(0, 4000), new(4001, 8191)];

    [Fact]
    public async Task AStandaloneTargetLosesExactlyTheKeysOfTheSlotsInThatDatabase()
    {
        await using var server = await RedisServer.StartAsync();
        await using var db3 = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = server.Address, Database = 3 });
        var keys = new List<byte[]>();
        for (var i = 0; i < 2500; i++) keys.Add(Encoding.UTF8.GetBytes("key:" + i.ToString(CultureInfo.InvariantCulture)));
        // Binary keys, one of them not valid UTF-8: deleted by their exact bytes.
        for (var i = 0; i < 50; i++) keys.Add([0xFF, 0xFE, (byte)i, 0x00, (byte)(i * 7)]);
        foreach (var key in keys) await db3.ExecuteAsync([(ReadOnlyMemory<byte>)"SET"u8.ToArray(), key, "v"u8.ToArray()]);
        var checkpoint = FirstKeyInLowerHalf("shake-checkpoint:");
        await db3.ExecuteAsync(["SET", checkpoint, "kept"]);
        await server.CliAsync("-n", "0", "SET", FirstKeyInLowerHalf("db0:"), "another database");

        await using var writer = await TargetWriter.ConnectAsync(new RedisConnectionOptions { Address = server.Address }, new TargetWriterOptions(), new EngineStatistics(), new TestLogger(output), CancellationToken.None);
        var deleted = await writer.DeleteSlotsAsync(LowerHalf, 3, "shake-checkpoint", CancellationToken.None);

        var expectedGone = keys.Count(k => ClusterSlot.Of(k) <= 8191);
        Assert.Equal(expectedGone, deleted);
        foreach (var key in keys)
        {
            var exists = (await db3.ExecuteAsync([(ReadOnlyMemory<byte>)"EXISTS"u8.ToArray(), key])).Integer == 1;
            Assert.Equal(ClusterSlot.Of(key) > 8191, exists);
        }
        Assert.Equal(1, (await db3.ExecuteAsync(["EXISTS", checkpoint])).Integer);
        Assert.Equal("1", (await server.CliAsync("-n", "0", "DBSIZE")).Trim());
    }

    private static string FirstKeyInLowerHalf(string prefix)
    {
        for (var i = 0; ; i++)
        {
            var key = prefix + i.ToString(CultureInfo.InvariantCulture);
            if (ClusterSlot.Of(Encoding.UTF8.GetBytes(key)) <= 8191) return key;
        }
    }
}
