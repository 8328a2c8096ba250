using System.Text;
using Shake.Core.Routing;
using Shake.Testing;
using Shake.TestSupport;

namespace Shake.Core.Tests.Routing;

public class ClusterSlotTests
{
    [Fact]
    public void Known_values()
    {
        Assert.Equal(0x31C3, ClusterSlot.Crc16("123456789"u8));
        Assert.Equal(12182, ClusterSlot.Of("foo"u8));
        Assert.Equal(ClusterSlot.Of("user1000"u8), ClusterSlot.Of("{user1000}.following"u8));
        Assert.Equal(ClusterSlot.Of("a"u8), ClusterSlot.Of("x{a}{b}"u8));
        Assert.Equal(ClusterSlot.Crc16("foo{}{bar}"u8) & 16383, ClusterSlot.Of("foo{}{bar}"u8));
        Assert.Equal(ClusterSlot.Of("{bar"u8), ClusterSlot.Of("foo{{bar}}zap"u8));
        Assert.Equal(0, ClusterSlot.Of(ReadOnlySpan<byte>.Empty));
    }

    private static IEnumerable<byte[]> Keys()
    {
        var random = new Random(2024);
        string[] edges = ["{}", "{", "}", "}{", "{a}", "a{}b", "{}{a}", "{{}}", "{{a}}", "a{b}c{d}", "{a", "a}", "x{ab}", "{ {} }", "{\u00e9}", "", "user:{42}:profile"];
        foreach (var e in edges) yield return Encoding.UTF8.GetBytes(e);
        const string alphabet = "ab{}";
        for (var i = 0; i < 1500; i++)
        {
            var key = new char[random.Next(0, 8)];
            for (var j = 0; j < key.Length; j++) key[j] = alphabet[random.Next(alphabet.Length)];
            yield return Encoding.ASCII.GetBytes(key);
        }
        for (var i = 0; i < 1500; i++)
        {
            var key = new byte[random.Next(0, 40)];
            random.NextBytes(key);
            if (key.Length > 4 && random.Next(3) == 0) { key[random.Next(key.Length)] = (byte)'{'; key[random.Next(key.Length)] = (byte)'}'; }
            yield return key;
        }
    }

    [Fact]
    public async Task Matches_cluster_keyslot_of_a_real_server()
    {
        await using var server = await RedisServer.StartAsync(clusterEnabled: true);
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        var checkedKeys = 0;
        foreach (var key in Keys())
        {
            var expected = (long)(await client.ExecuteAsync("CLUSTER"u8.ToArray(), "KEYSLOT"u8.ToArray(), key))!;
            Assert.True(expected == ClusterSlot.Of(key), $"key {Convert.ToHexString(key)}: server {expected}, ours {ClusterSlot.Of(key)}");
            checkedKeys++;
        }
        Assert.True(checkedKeys > 3000);
    }
}
