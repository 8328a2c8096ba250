using System.Buffers.Binary;
using System.Text;
using Shake.Rdb.Tests.Support;
using Shake.TestSupport;

namespace Shake.Rdb.Tests.Encodings;

/// <summary>Pulls compact-encoded blobs out of DUMP payloads of a real Redis 7 server.</summary>
internal static class ServerBlobs
{
    public const byte TypeSetIntset = 11;
    public const byte TypeHashListpack = 16;
    public const byte TypeZsetListpack = 17;
    public const byte TypeListQuicklist2 = 18;
    public const byte TypeStreamListpacks2 = 19;

    public static async Task<DumpPayload> DumpAsync(RawRespClient client, string key) => new(await client.BytesAsync("DUMP", key));

    /// <summary>The single blob of a hash/zset listpack or intset payload.</summary>
    public static async Task<byte[]> SingleBlobAsync(RawRespClient client, string key, byte expectedType)
    {
        var dump = await DumpAsync(client, key);
        Assert.Equal(expectedType, dump.Type);
        var blob = dump.ReadString();
        Assert.True(dump.AtEnd);
        return blob;
    }

    /// <summary>The listpacks of every packed quicklist node of a list payload.</summary>
    public static async Task<List<byte[]>> QuicklistNodesAsync(RawRespClient client, string key) => (await QuicklistNodesWithCompressionAsync(client, key)).Select(n => n.Blob).ToList();

    /// <summary>Like <see cref="QuicklistNodesAsync"/>, also telling which nodes the server stored LZF-compressed.</summary>
    public static async Task<List<(byte[] Blob, bool WasLzf)>> QuicklistNodesWithCompressionAsync(RawRespClient client, string key)
    {
        var dump = await DumpAsync(client, key);
        Assert.Equal(TypeListQuicklist2, dump.Type);
        var nodes = (int)dump.ReadLength();
        var result = new List<(byte[], bool)>();
        for (var i = 0; i < nodes; i++)
        {
            var container = dump.ReadLength();
            Assert.Equal(2UL, container); // packed
            var blob = dump.ReadString(out var wasLzf);
            result.Add((blob, wasLzf));
        }
        return result;
    }

    /// <summary>The (master ms, master seq, listpack) nodes of a stream payload; the metadata after them is not read.</summary>
    public static async Task<List<(ulong Ms, ulong Seq, byte[] Listpack)>> StreamNodesAsync(RawRespClient client, string key)
    {
        var dump = await DumpAsync(client, key);
        Assert.Equal(TypeStreamListpacks2, dump.Type);
        var nodes = (int)dump.ReadLength();
        var result = new List<(ulong, ulong, byte[])>();
        for (var i = 0; i < nodes; i++)
        {
            var nodeKey = dump.ReadString();
            Assert.Equal(16, nodeKey.Length);
            result.Add((BinaryPrimitives.ReadUInt64BigEndian(nodeKey), BinaryPrimitives.ReadUInt64BigEndian(nodeKey.AsSpan(8)), dump.ReadString()));
        }
        return result;
    }

    public static async Task<List<string>> TextsAsync(RawRespClient client, params string[] command) =>
        (await client.ListAsync(command)).Select(b => Encoding.Latin1.GetString(b)).ToList();

    public static Task RunAsync(RawRespClient client, params string[] command) => client.ExecuteAsync(command.Select(Encoding.Latin1.GetBytes).ToArray());
}
