using System.Buffers.Binary;
using System.Text;
using Shake.Rdb.Encodings;
using Shake.Testing;

namespace Shake.Rdb.Tests.Encodings;

public class ZiplistReaderTests
{
    /// <summary>The value blob right after a key name in a tiny corpus RDB (key, then an RDB length byte, then the blob).</summary>
    private static byte[] BlobAfterKey(string file, string key, int skipBeforeLength = 0)
    {
        var bytes = File.ReadAllBytes(SharedAssets.PathOf("corpus", "redis-tests", file)!);
        var name = Encoding.ASCII.GetBytes(key);
        var at = bytes.AsSpan().IndexOf([(byte)name.Length, .. name]) + 1 + name.Length + skipBeforeLength;
        var length = bytes[at];
        Assert.True(length < 64, "blob length must be a 6-bit RDB length in these tiny files");
        return bytes.AsSpan(at + 1, length).ToArray();
    }

    [SharedFact]
    public void Decodes_hash_ziplist_from_corpus()
    {
        Assert.Equal(["f1", "v1", "f2", "v2"], Drain.Ziplist(BlobAfterKey("hash-ziplist.rdb", "hash")));
    }

    [SharedFact]
    public void Decodes_zset_ziplist_from_corpus()
    {
        Assert.Equal(["one", "1", "two", "2"], Drain.Ziplist(BlobAfterKey("zset-ziplist.rdb", "zset")));
    }

    [SharedFact]
    public void Decodes_quicklist_node_from_corpus()
    {
        // After the key: the quicklist node count (1), then the node's ziplist.
        Assert.Equal(["7"], Drain.Ziplist(BlobAfterKey("list-quicklist.rdb", "list", skipBeforeLength: 1)));
    }

    [Fact]
    public void Decodes_every_encoding_built_from_the_spec()
    {
        object[] values =
        [
            0L, 12L, 13L, -1L, 127L, -128L, 128L, 32767L, -32768L, 32768L, 8388607L, -8388608L, 8388608L, (long)int.MaxValue, (long)int.MinValue,
            (long)int.MaxValue + 1, long.MaxValue, long.MinValue,
            "", "a", new string('b', 63), new string('c', 64), new string('d', 300), new string('e', 16383), new string('f', 16384),
        ];
        var blob = ZiplistBuilder.Build(values);
        var reader = new ZiplistReader(blob);
        Assert.Equal(values.Length, reader.DeclaredCount);
        var i = 0;
        while (reader.TryRead(out var e))
        {
            if (values[i] is long v)
            {
                Assert.True(e.IsInteger, $"element {i}");
                Assert.Equal(v, e.Integer);
            }
            else
            {
                Assert.False(e.IsInteger);
                Assert.Equal((string)values[i], Encoding.Latin1.GetString(e.Bytes));
            }
            i++;
        }
        Assert.Equal(values.Length, i);
    }

    [Fact]
    public void Large_prevlen_and_unknown_count_work()
    {
        object[] values = [.. Enumerable.Range(0, 70000).Select(i => (object)(long)(i % 13)), new string('x', 400), "after"];
        var blob = ZiplistBuilder.Build(values);
        var reader = new ZiplistReader(blob);
        Assert.Equal(ZiplistReader.UnknownCount, reader.DeclaredCount);
        var n = 0;
        while (reader.TryRead(out _)) n++;
        Assert.Equal(values.Length, n);
    }

    [Fact]
    public void Malformed_ziplists_are_rejected()
    {
        var blob = ZiplistBuilder.Build(["hello", 300L, "world", 5L, 100000L]);
        for (var cut = 0; cut < blob.Length; cut++)
        {
            Assert.Throws<RdbFormatException>(() => Drain.Ziplist(blob.AsSpan(0, cut)));
            if (cut >= 11)
            {
                var patched = blob[..cut];
                BinaryPrimitives.WriteUInt32LittleEndian(patched, (uint)cut);
                patched[^1] = 0xFF;
                Assert.Throws<RdbFormatException>(() => Drain.Ziplist(patched));
            }
        }
        var wrongCount = blob.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(wrongCount.AsSpan(8), 4);
        Assert.Contains("declares 4 entries", Assert.Throws<RdbFormatException>(() => Drain.Ziplist(wrongCount)).Message);
        var wrongTail = blob.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(wrongTail.AsSpan(4), 11);
        Assert.Throws<RdbFormatException>(() => Drain.Ziplist(wrongTail));
        var wrongPrev = blob.ToArray();
        wrongPrev[10] = 3;
        Assert.Throws<RdbFormatException>(() => Drain.Ziplist(wrongPrev));
        var badEncoding = blob.ToArray();
        badEncoding[11] = 0xC1;
        Assert.Contains("unknown encoding", Assert.Throws<RdbFormatException>(() => Drain.Ziplist(badEncoding)).Message);
        var random = new Random(4);
        for (var i = 0; i < 5000; i++)
        {
            var mutated = blob.ToArray();
            mutated[random.Next(10, mutated.Length - 1)] = (byte)random.Next(256);
            Drain.SurvivesOrRejects(() => Drain.Ziplist(mutated));
        }
    }

    [SharedFact]
    public void Corrupt_ziplist_corpus_file_blobs_never_crash()
    {
        // This file holds a deliberately corrupt ziplist; feed every plausible window of it to the reader.
        var bytes = File.ReadAllBytes(SharedAssets.PathOf("corpus", "redis-tests", "corrupt_ziplist.rdb")!);
        var windows = 0;
        for (var start = 0; start < bytes.Length; start++)
            for (var length = 11; start + length <= bytes.Length && length < 400; length++)
            {
                var window = bytes.AsSpan(start, length).ToArray();
                if (BinaryPrimitives.ReadUInt32LittleEndian(window) != (uint)length) continue;
                Drain.SurvivesOrRejects(() => Drain.Ziplist(window));
                windows++;
            }
        Assert.True(windows > 0, "the corpus file should hold at least one ziplist-shaped window");
    }
}
