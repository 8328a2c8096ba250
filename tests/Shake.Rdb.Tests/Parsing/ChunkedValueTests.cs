using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Tests.Canon;
using Shake.Rdb.Tests.Fixtures;
using Shake.Rdb.Values;
using Shake.Testing;
using Shake.TestSupport;

namespace Shake.Rdb.Tests.Parsing;

/// <summary>
/// Values of every element-wise encoding arriving in pieces of 1 byte to 64 KB, the way the engine feeds the parser (one
/// call per read, the unconsumed rest handed back): the entries equal those of a whole-buffer parse, the work stays
/// linear, and above <see cref="RdbParserOptions.LargeValueThreshold"/> the elements streamed equal the whole decode.
/// </summary>
public class ChunkedValueTests
{
    private static readonly int[] ChunkSizes = [1, 7, 100, 4096, 65536];

    // The big values of BigValuesFileAsync are 60 to 400 KB in the file (its strings are LZF-compressed).
    private const int Threshold = 16 * 1024;

    [Fact]
    public async Task BigValuesOfEveryEncodingAServerWritesParseTheSameInAnyChunkSize()
    {
        var data = await BigValuesFileAsync();
        AssertSameInEveryChunkSize(data, smallChunksUpTo: 2 << 20);
    }

    [SharedFact]
    public void CorpusFilesParseTheSameInAnyChunkSize()
    {
        foreach (var file in Directory.GetFiles(SharedAssets.PathOf("corpus")!, "*.rdb", SearchOption.AllDirectories))
        {
            if (file.Contains("corrupt_ziplist")) continue;
            AssertSameInEveryChunkSize(File.ReadAllBytes(file), smallChunksUpTo: int.MaxValue);
        }
    }

    [Fact]
    public void CraftedEncodingsParseTheSameInAnyChunkSize()
    {
        foreach (var file in CraftedFiles()) AssertSameInEveryChunkSize(file, smallChunksUpTo: int.MaxValue);
    }

    [Fact]
    public async Task LargeValuesStreamedElementByElementEqualTheWholeDecode()
    {
        var data = await BigValuesFileAsync();
        var expected = WholeDecode(data);
        foreach (var chunk in new[] { 1, 100, 4096, 65536 })
        {
            var handler = new StreamingHandler();
            using var parser = new RdbParser<StreamingHandler>(handler, new RdbParserOptions { LargeValueThreshold = Threshold });
            long held = Feed(data, parser, chunk);
            Assert.Equal(expected.Keys.Order(), handler.Values.Keys.Order());
            foreach (var (key, value) in expected) Assert.True(value == handler.Values[key], $"{key} at chunk {chunk}");
            Assert.Contains(handler.Streamed, k => k.StartsWith("big:", StringComparison.Ordinal));
            Assert.True(handler.Streamed.Order().SequenceEqual(["big:hash", "big:list", "big:set", "big:stream", "big:zset"]), string.Join(",", handler.Streamed));
            // Never more than the threshold, one read and one element (a quicklist or stream node, under 8 KB) is buffered.
            Assert.True(held <= Threshold + chunk + 8192, $"held {held} bytes at chunk {chunk}");
        }
    }

    [Fact]
    public void CraftedLargeValuesStreamedEqualTheWholeDecode()
    {
        var streamed = new HashSet<string>();
        foreach (var data in CraftedFiles())
        {
            var expected = WholeDecode(data);
            foreach (var chunk in ChunkSizes)
            {
                var handler = new StreamingHandler();
                using var parser = new RdbParser<StreamingHandler>(handler, new RdbParserOptions { LargeValueThreshold = 1000 });
                Feed(data, parser, chunk);
                foreach (var (key, value) in expected) Assert.True(value == handler.Values[key], $"{key} at chunk {chunk}");
                streamed.UnionWith(handler.Streamed);
            }
        }
        Assert.Equal(["crafted:list", "crafted:valkey-hash2", "crafted:zset-text"], streamed.Order());
    }

    [Fact]
    public void APlainStringAboveTheThresholdIsHandedOverInPartsAndNeverHeldWhole()
    {
        var big = new byte[1 << 20];
        new Random(5).NextBytes(big);
        var data = new RdbBuilder("REDIS", 10).Byte(RdbValueType.String).String("big").String(big).StringEntry("after", "x").End();
        foreach (var chunk in new[] { 100, 4096, 65536 })
        {
            var handler = new StreamingHandler();
            using var parser = new RdbParser<StreamingHandler>(handler, new RdbParserOptions { LargeValueThreshold = Threshold });
            long held = Feed(data, parser, chunk);
            Assert.Equal(["big"], handler.Streamed);
            var expected = new CanonicalValue(0, int.MaxValue);
            expected.OnString(big);
            Assert.Equal(expected.Format(RdbLogicalType.String), handler.Values["big"]);
            var after = new CanonicalValue(0, int.MaxValue);
            after.OnString("x"u8);
            Assert.Equal(after.Format(RdbLogicalType.String), handler.Values["after"]);
            Assert.True(held <= Threshold + chunk + 4096, $"held {held} bytes at chunk {chunk}");
        }
    }

    [Fact]
    public void AMillionElementValueIn4KPiecesIsWalkedAboutOnce()
    {
        var b = new RdbBuilder("REDIS", 10).Byte(RdbValueType.Hash).String("big").Length(1_000_000);
        for (int i = 0; i < 1_000_000; i++) b.String("field-" + i).String("value");
        var data = b.StringEntry("after", "x").End();
        using var parser = new RdbParser<RecordingHandler>(new RecordingHandler());
        Feed(data, parser, 4096);
        Assert.Equal(2, parser.Handler.Entries.Count);
        // Each of the ~5000 calls walks again only the element it stopped in and the key: far under one pass. Walking the
        // value again from its start on every call would be ~5000 x 9 MB / 2.
        Assert.True(parser.RescannedBytes < data.Length / 10, $"{parser.RescannedBytes} bytes walked again for a {data.Length}-byte file");
    }

    [Fact]
    public async Task MutantsFedInPiecesWithStreamingOnlyEverFailWithRdbFormatException()
    {
        var inputs = new List<byte[]>(CraftedFiles());
        var root = SharedAssets.PathOf("corpus");
        if (root is not null) inputs.AddRange(Directory.GetFiles(root, "*.rdb", SearchOption.AllDirectories).Order().Select(File.ReadAllBytes));
        var run = Task.Run(() =>
        {
            var rnd = new Random(2024);
            int failed = 0;
            foreach (var original in inputs)
            {
                for (int m = 0; m < 100; m++)
                {
                    var mutant = FuzzTests.Mutate(original, rnd);
                    int chunk = ChunkSizes[rnd.Next(ChunkSizes.Length - 1)];
                    using var parser = new RdbParser<CountingHandler>(new CountingHandler(), new RdbParserOptions { LargeValueThreshold = 256 });
                    try
                    {
                        Feed(mutant, parser, chunk);
                    }
                    catch (RdbFormatException)
                    {
                        failed++;
                    }
                    catch (Exception e)
                    {
                        throw new Xunit.Sdk.XunitException($"mutant {m} in pieces of {chunk} threw {e.GetType().Name}: {e}");
                    }
                }
            }
            return failed;
        });
        Assert.True(await run.WaitAsync(TimeSpan.FromSeconds(120)) > 0);
    }

    private sealed class CountingHandler : IRdbHandler
    {
        private readonly ElementCounter _elements = new();

        public bool OnEntry(in RdbEntry entry) => true;

        public IRdbValueVisitor? OnLargeEntryStart(in RdbEntry entry) => _elements;
    }

    private sealed class ElementCounter : IRdbValueVisitor
    {
        public long Count;

        public void OnString(ReadOnlySpan<byte> value) => Count++;
        public void OnStringPart(ReadOnlySpan<byte> part, long totalLength) => Count++;
        public void OnListItem(ReadOnlySpan<byte> item) => Count++;
        public void OnSetMember(ReadOnlySpan<byte> member) => Count++;
        public void OnZSetMember(ReadOnlySpan<byte> member, double score) => Count++;
        public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs) => Count++;
        public void OnStreamEntry(StreamId id, int fieldCount) => Count++;
        public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) => Count++;
        public void OnStreamMetadata(in StreamMetadata metadata) => Count++;
        public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead) => Count++;
        public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) => Count++;
        public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs) => Count++;
        public void OnStreamConsumerPendingEntry(StreamId id) => Count++;
        public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) => Count++;
    }

    private static void AssertSameInEveryChunkSize(byte[] data, int smallChunksUpTo)
    {
        var whole = RdbFiles.ParseWhole(data);
        foreach (var chunk in ChunkSizes)
        {
            if (chunk < 100 && data.Length > smallChunksUpTo) continue;
            using var parser = new RdbParser<RecordingHandler>(new RecordingHandler());
            Feed(data, parser, chunk);
            var parsed = parser.Handler;
            Assert.Equal(whole.Entries.Count, parsed.Entries.Count);
            for (int i = 0; i < whole.Entries.Count; i++)
            {
                var (a, b) = (whole.Entries[i], parsed.Entries[i]);
                Assert.True(a.Raw.AsSpan().SequenceEqual(b.Raw) && a.Key.AsSpan().SequenceEqual(b.Key) && a.Offset == b.Offset && a.ExpireAtMs == b.ExpireAtMs,
                    $"entry {a.KeyText} differs at chunk {chunk}");
            }
            Assert.True(parsed.Ended);
        }
    }

    /// <summary>
    /// Feeds <paramref name="data"/> through a pipe <paramref name="chunk"/> bytes at a time, one parse per write, as the
    /// engine does; returns the most bytes ever left unconsumed.
    /// </summary>
    private static long Feed<THandler>(byte[] data, RdbParser<THandler> parser, int chunk) where THandler : IRdbHandler
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, minimumSegmentSize: 4096));
        long held = 0;
        for (int at = 0; ; at += chunk)
        {
            bool last = at + chunk >= data.Length;
            if (at < data.Length)
            {
                pipe.Writer.Write(data.AsSpan(at, Math.Min(chunk, data.Length - at)));
                pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
            }
            if (!pipe.Reader.TryRead(out var result))
            {
                // Only an empty input gets here: the parser must say it is truncated.
                parser.Parse(ReadOnlySequence<byte>.Empty, isFinalBlock: true, out _, out _);
                throw new InvalidOperationException("an empty input parsed");
            }
            var status = parser.Parse(result.Buffer, last, out var consumed, out var examined);
            held = Math.Max(held, result.Buffer.Slice(consumed).Length);
            pipe.Reader.AdvanceTo(consumed, examined);
            if (status == RdbParseStatus.Completed) return held;
            Assert.False(last, "the parser wants more than the whole file");
        }
    }

    private static Dictionary<string, string> WholeDecode(byte[] data)
    {
        using var decoder = new RdbValueDecoder();
        var values = new Dictionary<string, string>();
        foreach (var e in RdbFiles.ParseWhole(data).Entries)
        {
            var value = new CanonicalValue(0, int.MaxValue);
            decoder.Decode(e.Type, new ReadOnlySequence<byte>(e.Raw), e.Magic, ref value);
            values[e.Db + ":" + e.KeyText] = value.Format(e.LogicalType);
        }
        return values.ToDictionary(p => p.Key[(p.Key.IndexOf(':') + 1)..], p => p.Value);
    }

    /// <summary>Held values decoded whole, large ones collected from the elements the parser streamed.</summary>
    private sealed class StreamingHandler : IRdbHandler
    {
        private readonly RdbValueDecoder _decoder = new();
        private CanonicalValue? _large;
        private string _largeKey = "";
        private RdbLogicalType _largeType;

        public Dictionary<string, string> Values { get; } = [];
        public List<string> Streamed { get; } = [];

        public bool OnEntry(in RdbEntry entry)
        {
            var value = new CanonicalValue(0, int.MaxValue);
            _decoder.Decode(entry.Type, entry.RawValue, entry.Magic, ref value);
            Values[Encoding.UTF8.GetString(entry.Key)] = value.Format(entry.LogicalType);
            return true;
        }

        public IRdbValueVisitor? OnLargeEntryStart(in RdbEntry entry)
        {
            Assert.True(entry.RawValue.IsEmpty);
            _largeKey = Encoding.UTF8.GetString(entry.Key);
            _largeType = entry.LogicalType;
            Streamed.Add(_largeKey);
            return _large = new CanonicalValue(0, int.MaxValue);
        }

        public bool OnLargeEntryEnd()
        {
            Values[_largeKey] = _large!.Format(_largeType);
            _large = null;
            return true;
        }
    }

    /// <summary>A file a local server saved with one big value of each collection encoding it writes, between small keys.</summary>
    private static async Task<byte[]> BigValuesFileAsync()
    {
        await using var server = await RedisServer.StartAsync();
        await using var r = await RawRespClient.ConnectAsync(server.Port);
        // Plain nodes in the big list too: elements over the packed threshold.
        await r.ExecuteAsync("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000");
        await r.ExecuteAsync("SET", "small:before", "x");
        for (int i = 0; i < 20_000; i += 500)
        {
            var range = Enumerable.Range(i, 500).ToArray();
            await r.ExecuteAsync(["RPUSH", "big:list", .. range.Select(n => n % 97 == 0 ? new string('p', 1200) + n : "item-" + n)]);
            await r.ExecuteAsync(["SADD", "big:set", .. range.Select(n => "member-" + n)]);
            await r.ExecuteAsync(["ZADD", "big:zset", .. range.SelectMany(n => new[] { (n * 0.37).ToString("R"), "z" + n })]);
            await r.ExecuteAsync(["HSET", "big:hash", .. range.SelectMany(n => new[] { "field-" + n, n % 3 == 0 ? n.ToString() : "value-" + n })]);
            foreach (var n in range.Where(n => n % 5 == 0)) await r.ExecuteAsync("XADD", "big:stream", "*", "i", n.ToString(), "payload", "p" + (n % 7));
        }
        await r.ExecuteAsync("XGROUP", "CREATE", "big:stream", "g1", "0");
        await r.ExecuteAsync("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3000", "STREAMS", "big:stream", ">");
        await r.ExecuteAsync("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "10", "STREAMS", "big:stream", ">");
        await r.ExecuteAsync("XGROUP", "CREATE", "big:stream", "g2", "$");
        await r.ExecuteAsync("HSET", "small:after", "f", "v");
        await r.ExecuteAsync("SAVE");
        return await File.ReadAllBytesAsync(Dataset.DumpPath(server));
    }

    /// <summary>Encodings no local server writes: plain and text-score types of old files, Valkey 9's HASH_2, a module value.</summary>
    private static byte[][] CraftedFiles()
    {
        var redis = new RdbBuilder("REDIS", 9);
        redis.Byte(RdbValueType.List).String("crafted:list").Length(300);
        for (int i = 0; i < 300; i++) redis.String("element-" + i);
        redis.Byte(RdbValueType.ZSet).String("crafted:zset-text").Length(200);
        for (int i = 0; i < 200; i++) redis.String("m" + i).Byte(i == 0 ? (byte)254 : (byte)4).Raw(i == 0 ? [] : Encoding.ASCII.GetBytes((i % 10) + ".25"));
        redis.Byte(RdbValueType.Module2).String("crafted:module").Length(12345);
        for (int i = 0; i < 100; i++) redis.Length(5).String("module-string-" + i).Length(2).Length((ulong)i);
        redis.Length(0);
        redis.StringEntry("crafted:after", "x");
        var valkey = new RdbBuilder("VALKEY", 80);
        valkey.Byte(RdbValueType.ValkeyHash2).String("crafted:valkey-hash2").Length(300);
        for (int i = 0; i < 300; i++) valkey.String("field-" + i).String("value-" + i).Int64(i % 2 == 0 ? -1 : 4102444800000 + i);
        valkey.StringEntry("crafted:after", "x");
        return [redis.End(), valkey.End()];
    }
}
