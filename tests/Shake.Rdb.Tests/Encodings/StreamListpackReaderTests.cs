using System.Text;
using Shake.Rdb.Encodings;
using Shake.Testing;
using Shake.TestSupport;
using static Shake.Rdb.Tests.Encodings.ServerBlobs;

namespace Shake.Rdb.Tests.Encodings;

public class StreamListpackReaderTests
{
    /// <summary>XRANGE - + flattened to "id", field, value, ... for comparison with <see cref="Drain.Stream"/>.</summary>
    private static async Task<List<string>> XrangeAsync(RawRespClient client, string key)
    {
        var reply = (object?[])(await client.ExecuteAsync("XRANGE", key, "-", "+"))!;
        var result = new List<string>();
        foreach (object?[] entry in reply.Cast<object?[]>())
        {
            result.Add(Encoding.Latin1.GetString((byte[])entry[0]!));
            result.AddRange(((object?[])entry[1]!).Select(x => Encoding.Latin1.GetString((byte[])x!)));
        }
        return result;
    }

    [Fact]
    public async Task Decodes_stream_nodes_written_by_real_redis()
    {
        await using var server = await RedisServer.StartAsync(["--stream-node-max-entries", "7"]);
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        var random = new Random(8);
        for (var i = 0; i < 40; i++)
        {
            // Mostly the master's fields (SAMEFIELDS entries), sometimes different ones, with integer and string values.
            string[] fields = random.Next(4) == 0 ? ["other", random.Next(-5000, 5000).ToString(), "x", new string('q', random.Next(0, 90))] : ["temp", random.Next(0, 40).ToString(), "unit", "celsius"];
            await RunAsync(client, ["XADD", "s", $"{1000 + i * 3}-{i % 4}", .. fields]);
        }
        await RunAsync(client, "XDEL", "s", "1003-1", "1030-2", "1093-3");
        await RunAsync(client, "XADD", "s", "99999999999-5", "only", "1");

        var expected = await XrangeAsync(client, "s");
        var nodes = await StreamNodesAsync(client, "s");
        Assert.True(nodes.Count > 3);
        var decoded = nodes.SelectMany(n => Drain.Stream(n.Listpack, n.Ms, n.Seq)).ToList();
        Assert.Equal(expected, decoded);

        // Deleted entries are reported with the flag, and skipping fields without reading them works.
        var all = nodes.SelectMany(n => Drain.Stream(n.Listpack, n.Ms, n.Seq, includeDeleted: true, readFields: false)).ToList();
        Assert.Equal(41 + 0, all.Count);
        Assert.Contains("1003-1", all);
    }

    [Fact]
    public async Task Reports_master_entry_and_same_fields_flag()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        await RunAsync(client, "XADD", "s", "5-1", "a", "1", "b", "2");
        await RunAsync(client, "XADD", "s", "5-2", "a", "3", "b", "4");
        await RunAsync(client, "XADD", "s", "7-0", "c", "5");
        await RunAsync(client, "XDEL", "s", "5-2");
        var node = Assert.Single(await StreamNodesAsync(client, "s"));
        Assert.Equal((5UL, 1UL), (node.Ms, node.Seq));
        var reader = new StreamListpackReader(node.Listpack, node.Ms, node.Seq);
        Assert.Equal(2, reader.DeclaredValidCount);
        Assert.Equal(1, reader.DeclaredDeletedCount);
        Assert.Equal(2, reader.MasterFieldCount);
        Assert.True(reader.TryReadEntry(out var h));
        Assert.Equal(new StreamEntryHeader(5, 1, false, 2, true), h);
        Assert.True(reader.TryReadEntry(out h));
        Assert.Equal(new StreamEntryHeader(5, 2, true, 2, true), h);
        Assert.True(reader.TryReadEntry(out h));
        Assert.Equal(new StreamEntryHeader(7, 0, false, 1, false), h);
        Assert.True(reader.TryReadField(out var f, out var v));
        Assert.Equal("c", f.ToString());
        Assert.Equal(5, v.Integer);
        Assert.False(reader.TryReadField(out _, out _));
        Assert.False(reader.TryReadEntry(out _));
        Assert.False(reader.TryReadEntry(out _));
    }

    [Fact]
    public async Task Truncated_and_mutated_stream_nodes_are_rejected_cleanly()
    {
        await using var server = await RedisServer.StartAsync();
        await using var client = await RawRespClient.ConnectAsync(server.Port);
        await RunAsync(client, "XADD", "s", "10-1", "a", "1", "b", "two");
        await RunAsync(client, "XADD", "s", "10-2", "a", "3", "b", "four");
        await RunAsync(client, "XADD", "s", "11-0", "z", "5");
        var node = Assert.Single(await StreamNodesAsync(client, "s"));
        var elements = Drain.Listpack(node.Listpack);
        // Rebuild the node from its elements minus one, at every position: the entry structure must notice.
        for (var drop = 0; drop < elements.Count; drop++)
        {
            var shorter = ListpackBuilder.Build(elements.Where((_, i) => i != drop).Select(ToElement));
            Assert.Throws<RdbFormatException>(() => Drain.Stream(shorter, node.Ms, node.Seq, includeDeleted: true));
        }
        var random = new Random(9);
        for (var i = 0; i < 3000; i++)
        {
            var mutated = elements.ToList();
            mutated[random.Next(mutated.Count)] = random.Next(3) switch { 0 => "x", 1 => random.Next(-3, 10).ToString(), _ => "" };
            var blob = ListpackBuilder.Build(mutated.Select(ToElement));
            Drain.SurvivesOrRejects(() => Drain.Stream(blob, node.Ms, node.Seq, includeDeleted: true));
        }
    }

    private static object ToElement(string text) => long.TryParse(text, out var v) && v.ToString() == text ? v : text;
}
