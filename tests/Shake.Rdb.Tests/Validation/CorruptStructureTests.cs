using System.Buffers.Binary;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Tests.Encodings;
using Shake.Rdb.Tests.Fixtures;

namespace Shake.Rdb.Tests.Validation;

/// <summary>
/// Hand-made values, each wrong in one way a server's deep sanitization refuses, inside an otherwise sound RDB (the
/// framing and checksum are intact, so only validation can find them): each must be refused naming the key, its
/// type and a byte offset inside the value; and the sound variant of each must pass.
/// </summary>
public class CorruptStructureTests
{
    private const string Key = "victim";

    private static byte[] File(byte type, Action<RdbBuilder> value)
    {
        var b = new RdbBuilder("REDIS", 11).SelectDb(0).StringEntry("before", "ok").Byte(type).String(Key);
        value(b);
        return b.StringEntry("after", "ok").End();
    }

    private static void Refused(byte type, Action<RdbBuilder> value, string reason)
    {
        var file = File(type, value);
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.ParseWhole(file, new RdbParserOptions { ValidateValues = true }));
        Assert.Contains($"key \"{Key}\"", ex.Message);
        Assert.Contains($"({RdbTypeInfo.Name(type, RdbMagicKind.Redis)})", ex.Message);
        Assert.Contains(reason, ex.Message);
        Assert.Contains("byte offset", ex.Message);
        // The offset points into the victim's value, between its key and the next entry.
        int valueStart = IndexOf(file, "victim"u8) + Key.Length;
        int next = IndexOf(file, "after"u8);
        Assert.InRange(ex.Offset, valueStart, next);
        // Fed in 5-byte reads, values span buffer segments and take the validator's general (cursor) path: same verdict.
        var piped = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(file, new RdbParserOptions { ValidateValues = true }, chunk: 5));
        Assert.Equal(ex.Message, piped.Message);
        // The whole-file pass, its values validated on other threads: the same error, whole and in 5-byte reads.
        foreach (var (workers, chunk) in WorkerRuns(file))
        {
            var pass = Assert.Throws<RdbFormatException>(() => RdbFiles.ValidateOnWorkers(file, workers, chunk));
            Assert.Equal(ex.Message, pass.Message);
            Assert.Equal(ex.Offset, pass.Offset);
        }
        // Without validation the framing is sound: the parser hands the entry over.
        Assert.Equal(3, RdbFiles.ParseWhole(file).Entries.Count);
    }

    private static void Accepted(byte type, Action<RdbBuilder> value)
    {
        Assert.Equal(3, RdbFiles.ParseWhole(File(type, value), new RdbParserOptions { ValidateValues = true }).Entries.Count);
        Assert.Equal(3, RdbFiles.Parse(File(type, value), new RdbParserOptions { ValidateValues = true }, chunk: 5).Entries.Count);
        foreach (var (workers, chunk) in WorkerRuns(File(type, value))) Assert.Equal(3, RdbFiles.ValidateOnWorkers(File(type, value), workers, chunk));
    }

    private static (int Workers, int Chunk)[] WorkerRuns(byte[] file) => [(1, file.Length), (2, file.Length), (2, 5)];

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> what) => data.AsSpan().IndexOf(what);

    private static Action<RdbBuilder> Blob(byte[] blob) => b => b.String(blob);

    // ---- listpack ----

    [Fact]
    public void SetListpackWithADuplicateMemberIsRefused()
    {
        Accepted(RdbValueType.SetListpack, Blob(ListpackBuilder.Build(["a", "b", 1L])));
        Refused(RdbValueType.SetListpack, Blob(ListpackBuilder.Build(["a", "b", "a"])), "duplicate set member in a listpack");
        // An integer and its decimal text are the same member to a server.
        Refused(RdbValueType.SetListpack, Blob(ListpackBuilder.Build([7L, "7"])), "duplicate set member");
        // The other way round: the string is remembered by its place in the blob, the integer's text is not in it.
        Refused(RdbValueType.SetListpack, Blob(ListpackBuilder.Build(["7", 7L])), "duplicate set member");
        Refused(RdbValueType.HashZiplist, Blob(ZiplistBuilder.Build(["3", "v", 3L, "w"])), "duplicate hash field");
    }

    [Theory]
    [InlineData(8, 7, 0)] // a small set, screened by member hashes
    [InlineData(32, 31, 30)] // a set that fills the screen
    [InlineData(33, 32, 0)] // one member more: checked exactly from the start
    [InlineData(40, 3, 10)] // both among the first 16 members, which the exact check compares one by one
    [InlineData(40, 3, 30)] // the first before, the second after its switch to a hash table
    [InlineData(40, 20, 35)] // both in the hash table
    [InlineData(40, 39, 0)] // the last member repeats the first
    public void ADuplicateIsFoundWhereverItFallsInASet(int size, int first, int second)
    {
        var members = Enumerable.Range(0, size).Select(i => (object)$"member-{i}").ToList();
        Accepted(RdbValueType.SetListpack, Blob(ListpackBuilder.Build(members)));
        Accepted(RdbValueType.Set, b => { b.Length((ulong)members.Count); foreach (var m in members) b.String((string)m); });
        members[first] = members[second];
        Refused(RdbValueType.SetListpack, Blob(ListpackBuilder.Build(members)), "duplicate set member in a listpack");
        Refused(RdbValueType.Set, b => { b.Length((ulong)members.Count); foreach (var m in members) b.String((string)m); }, "duplicate set member");
    }

    [Fact]
    public void ThirteenBitIntegerMembersAreComparedAsText()
    {
        Accepted(RdbValueType.SetListpack, Blob(ListpackBuilder.Build([-1000L, "-100", 4095L, "4096"])));
        Refused(RdbValueType.SetListpack, Blob(ListpackBuilder.Build(["a", -1000L, "-1000"])), "duplicate set member");
        Refused(RdbValueType.HashListpack, Blob(ListpackBuilder.Build(["4095", "v", 4095L, "w"])), "duplicate hash field");
    }

    [Fact]
    public void AShortStringInTheTwelveBitEncodingIsAccepted()
    {
        // Not what a server writes for a short string, but its integrity check accepts it, so the validator does too.
        byte[] entry = [0xE0, 3, (byte)'a', (byte)'b', (byte)'c', 5];
        var blob = new byte[6 + entry.Length + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)blob.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(4), 1);
        entry.CopyTo(blob, 6);
        blob[^1] = 0xFF;
        Accepted(RdbValueType.SetListpack, Blob(blob));
        var wrongBacklen = (byte[])blob.Clone();
        wrongBacklen[6 + 5] = 4;
        Refused(RdbValueType.SetListpack, Blob(wrongBacklen), "back-length");
    }

    [Fact]
    public void CompactBlobsAndQuicklistNodesStoredAsLzfStringsAreInflatedAndChecked()
    {
        // A server LZF-compresses a compressible string over 20 bytes, so most listpacks of a real file arrive that way.
        var members = Enumerable.Range(0, 10).Select(i => (object)$"member-{i}").ToList();
        Accepted(RdbValueType.SetListpack, b => b.LzfString(ListpackBuilder.Build(members)));
        Accepted(RdbValueType.ListQuicklist2, b => b.Length(2)
            .Length(QuicklistContainer.Packed).LzfString(ListpackBuilder.Build(members))
            .Length(QuicklistContainer.Packed).String(ListpackBuilder.Build(["x"])));
        var duplicate = members.ToList();
        duplicate[9] = duplicate[2];
        Refused(RdbValueType.SetListpack, b => b.LzfString(ListpackBuilder.Build(duplicate)), "duplicate set member in a listpack");
        var badBacklen = ListpackBuilder.Build(members);
        badBacklen[6 + 9] = 3; // the first entry ("member-0", 9 bytes with its encoding byte) has its backlen here
        Refused(RdbValueType.ListQuicklist2, b => b.Length(2)
            .Length(QuicklistContainer.Packed).String(ListpackBuilder.Build(["x"]))
            .Length(QuicklistContainer.Packed).LzfString(badBacklen), "back-length");
        // A corrupt LZF string (a back-reference before the start) is reported as such.
        Refused(RdbValueType.SetListpack, b => b.Byte(0xC3).Length(3).Length(30).Raw(0x20, 0x05, 0x00), "LZF");
    }

    [Fact]
    public void ASmallSetAfterALargeOneIsCheckedOnItsOwn()
    {
        // The validator is reused from value to value: what the large set left behind must neither hide a duplicate
        // in the small one nor make a member of the small one look like a duplicate.
        var large = ListpackBuilder.Build(Enumerable.Range(0, 200).Select(i => (object)$"m{i}"));
        var sound = new RdbBuilder("REDIS", 11).SelectDb(0)
            .Byte(RdbValueType.SetListpack).String("large").String(large)
            .Byte(RdbValueType.SetListpack).String("small").String(ListpackBuilder.Build(["m1", "m2", "m3"]))
            .End();
        Assert.Equal(2, RdbFiles.ParseWhole(sound, new RdbParserOptions { ValidateValues = true }).Entries.Count);
        var corrupt = new RdbBuilder("REDIS", 11).SelectDb(0)
            .Byte(RdbValueType.SetListpack).String("large").String(large)
            .Byte(RdbValueType.SetListpack).String(Key).String(ListpackBuilder.Build(["x", "m1", "x"]))
            .End();
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.ParseWhole(corrupt, new RdbParserOptions { ValidateValues = true }));
        Assert.Contains($"key \"{Key}\"", ex.Message);
        Assert.Contains("duplicate set member", ex.Message);
    }

    [Fact]
    public void HashListpackWithADuplicateFieldOrAFieldWithoutValueIsRefused()
    {
        Accepted(RdbValueType.HashListpack, Blob(ListpackBuilder.Build(["f", "v", "g", "w"])));
        Refused(RdbValueType.HashListpack, Blob(ListpackBuilder.Build(["f", "v", "f", "w"])), "duplicate hash field");
        Refused(RdbValueType.HashListpack, Blob(ListpackBuilder.Build(["f", "v", "g"])), "not a whole number of 2-element hash field tuples");
    }

    [Fact]
    public void SortedSetListpackWithADuplicateMemberOrABadScoreIsRefused()
    {
        Accepted(RdbValueType.ZSetListpack, Blob(ListpackBuilder.Build(["m", 1L, "n", "2.5", "o", "inf"])));
        Refused(RdbValueType.ZSetListpack, Blob(ListpackBuilder.Build(["m", 1L, "m", 2L])), "duplicate sorted set member");
        Refused(RdbValueType.ZSetListpack, Blob(ListpackBuilder.Build(["m", "abc"])), "score is not a number");
        Refused(RdbValueType.ZSetListpack, Blob(ListpackBuilder.Build(["m", "nan"])), "score is not a number");
    }

    [Fact]
    public void ListpackWithABrokenBackLengthCountOrEndIsRefused()
    {
        var good = ListpackBuilder.Build(["alpha", "beta"]);
        var badBacklen = (byte[])good.Clone();
        badBacklen[6 + 6] = 9; // "alpha" entry is 6 bytes, its backlen byte follows
        Refused(RdbValueType.SetListpack, Blob(badBacklen), "back-length");
        var badCount = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(badCount.AsSpan(4), 3);
        Refused(RdbValueType.SetListpack, Blob(badCount), "declares 3 elements but 2 were found");
        var noEnd = (byte[])good.Clone();
        noEnd[^1] = 0x01;
        Refused(RdbValueType.SetListpack, Blob(noEnd), "end marker");
        var badTotal = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(badTotal, (uint)good.Length + 1);
        Refused(RdbValueType.SetListpack, Blob(badTotal), "header declares");
    }

    [Fact]
    public void HashListpackWithTtlsOutOfOrderOrNotIntegersIsRefused()
    {
        Action<RdbBuilder> ex(params object[] elements) => b => b.Int64(0).String(ListpackBuilder.Build(elements));
        Accepted(RdbValueType.RedisHashListpackEx, ex("a", "1", 100L, "b", "2", 200L, "c", "3", 0L));
        Refused(RdbValueType.RedisHashListpackEx, ex("a", "1", 200L, "b", "2", 100L), "out of order");
        Refused(RdbValueType.RedisHashListpackEx, ex("a", "1", 0L, "b", "2", 100L), "out of order");
        Refused(RdbValueType.RedisHashListpackEx, ex("a", "1", "soon"), "not an integer");
        Refused(RdbValueType.RedisHashListpackEx, ex("a", "1", 1L << 50), "out of range");
        Refused(RdbValueType.RedisHashListpackEx, ex("a", "1", 0L, "a", "2", 0L), "duplicate hash field");
    }

    // ---- ziplist ----

    [Fact]
    public void HashAndSortedSetZiplistsWithDuplicatesOrOddCountsAreRefused()
    {
        Accepted(RdbValueType.HashZiplist, Blob(ZiplistBuilder.Build(["f", "v", "g", 5L])));
        Refused(RdbValueType.HashZiplist, Blob(ZiplistBuilder.Build(["f", "v", "f", "w"])), "duplicate hash field in a ziplist");
        Refused(RdbValueType.HashZiplist, Blob(ZiplistBuilder.Build([3L, "v", "3", "w"])), "duplicate hash field");
        Accepted(RdbValueType.ZSetZiplist, Blob(ZiplistBuilder.Build(["m", 1L, "n", "-2.5"])));
        Refused(RdbValueType.ZSetZiplist, Blob(ZiplistBuilder.Build(["m", 1L, "n"])), "not a whole number");
        Refused(RdbValueType.ZSetZiplist, Blob(ZiplistBuilder.Build(["m", 1L, "m", 2L])), "duplicate sorted set member");
    }

    [Fact]
    public void ZiplistWithABrokenPreviousLengthTailOrCountIsRefused()
    {
        var good = ZiplistBuilder.Build(["one", "two", "three"]);
        Accepted(RdbValueType.ListZiplist, Blob(good));
        var badPrev = (byte[])good.Clone();
        badPrev[10 + 5] = 4; // the second entry's prevlen ("one" entry is 5 bytes)
        Refused(RdbValueType.ListZiplist, Blob(badPrev), "previous entry");
        var badTail = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(badTail.AsSpan(4), 10);
        Refused(RdbValueType.ListZiplist, Blob(badTail), "last entry");
        var badCount = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(badCount.AsSpan(8), 2);
        Refused(RdbValueType.ListZiplist, Blob(badCount), "declares 2 entries but 3 were found");
        Refused(RdbValueType.ListZiplist, Blob(good[..5]), "shorter than its 11-byte minimum");
    }

    // ---- intset ----

    private static byte[] Intset(int width, params long[] values)
    {
        var blob = new byte[8 + width * values.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)width);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), (uint)values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            var at = blob.AsSpan(8 + i * width);
            if (width == 2) BinaryPrimitives.WriteInt16LittleEndian(at, (short)values[i]);
            else if (width == 4) BinaryPrimitives.WriteInt32LittleEndian(at, (int)values[i]);
            else BinaryPrimitives.WriteInt64LittleEndian(at, values[i]);
        }
        return blob;
    }

    [Fact]
    public void IntsetUnsortedWithDuplicatesEmptyOrOfUnknownWidthIsRefused()
    {
        Accepted(RdbValueType.SetIntset, Blob(Intset(2, -3, 1, 7)));
        Accepted(RdbValueType.SetIntset, Blob(Intset(8, long.MinValue, long.MaxValue)));
        Refused(RdbValueType.SetIntset, Blob(Intset(4, 5, 2)), "not sorted");
        Refused(RdbValueType.SetIntset, Blob(Intset(2, 1, 1)), "holds 1 twice");
        Refused(RdbValueType.SetIntset, Blob(Intset(2)), "intset is empty");
        Refused(RdbValueType.SetIntset, Blob([3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]), "unknown element width");
        Refused(RdbValueType.SetIntset, Blob(Intset(2, 1, 2)[..^1]), "blob holds");
    }

    // ---- zipmap ----

    private static byte[] Zipmap(params string[] fieldsAndValues)
    {
        var blob = new List<byte> { (byte)(fieldsAndValues.Length / 2) };
        for (int i = 0; i < fieldsAndValues.Length; i += 2)
        {
            blob.Add((byte)fieldsAndValues[i].Length);
            blob.AddRange(System.Text.Encoding.ASCII.GetBytes(fieldsAndValues[i]));
            blob.Add((byte)fieldsAndValues[i + 1].Length);
            blob.Add(0); // no free bytes
            blob.AddRange(System.Text.Encoding.ASCII.GetBytes(fieldsAndValues[i + 1]));
        }
        blob.Add(0xFF);
        return [.. blob];
    }

    [Fact]
    public void ZipmapWithADuplicateFieldOrNoFieldIsRefused()
    {
        Accepted(RdbValueType.HashZipmap, Blob(Zipmap("f", "v", "g", "w")));
        Refused(RdbValueType.HashZipmap, Blob(Zipmap("f", "v", "f", "w")), "duplicate hash field in a zipmap");
        Refused(RdbValueType.HashZipmap, Blob(Zipmap()), "zipmap is empty");
        var badCount = Zipmap("f", "v");
        badCount[0] = 2;
        Refused(RdbValueType.HashZipmap, Blob(badCount), "declares 2 pairs but 1 were found");
    }

    // ---- plain encodings ----

    [Fact]
    public void PlainCollectionsWithDuplicatesOrNaNScoresAreRefused()
    {
        Accepted(RdbValueType.Set, b => b.Length(2).String("x").String("y"));
        Refused(RdbValueType.Set, b => b.Length(2).String("x").String("x"), "duplicate set member");
        // An integer-encoded member and its text are the same member.
        Refused(RdbValueType.Set, b => b.Length(2).Byte(0xC0).Byte(7).String("7"), "duplicate set member");
        Accepted(RdbValueType.List, b => b.Length(3).String("a").String("a").Byte(0xC1).Raw(1, 2));
        Accepted(RdbValueType.Hash, b => b.Length(2).String("f").String("v").String("g").String("v"));
        Refused(RdbValueType.Hash, b => b.Length(2).String("f").String("v").String("f").String("w"), "duplicate hash field");
        Accepted(RdbValueType.ZSet2, b => b.Length(2).String("m").Raw(BitConverter.GetBytes(1.0)).String("n").Raw(BitConverter.GetBytes(1.0)));
        Refused(RdbValueType.ZSet2, b => b.Length(2).String("m").Raw(BitConverter.GetBytes(1.0)).String("m").Raw(BitConverter.GetBytes(2.0)), "duplicate sorted set member");
        Refused(RdbValueType.ZSet2, b => b.Length(1).String("m").Raw(BitConverter.GetBytes(double.NaN)), "NaN");
        Refused(RdbValueType.ZSet, b => b.Length(1).String("m").Byte(253), "NaN");
        Refused(RdbValueType.ZSet, b => b.Length(1).String("m").Byte(3).Raw("x.y"u8.ToArray()), "not a number");
        Accepted(RdbValueType.RedisHashMetadata, b => b.Int64(1000).Length(2).Length(1).String("f").String("v").Length(0).String("g").String("v"));
        Refused(RdbValueType.RedisHashMetadata, b => b.Int64(1000).Length(2).Length(1).String("f").String("v").Length(0).String("f").String("v"), "duplicate hash field");
        Refused(RdbValueType.RedisHashMetadata, b => b.Int64(1000).Length(1).Length(1UL << 50).String("f").String("v"), "out of range");
    }

    [Fact]
    public void QuicklistWithAnEmptyNodeStringOrACorruptNodeIsRefused()
    {
        var node = ListpackBuilder.Build(["a", "b"]);
        Accepted(RdbValueType.ListQuicklist2, b => b.Length(2).Length(2).String(node).Length(1).String("plain"));
        // An empty listpack node is skipped by a server on load, so it passes.
        Accepted(RdbValueType.ListQuicklist2, b => b.Length(2).Length(2).String(node).Length(2).String(ListpackBuilder.Build([])));
        Refused(RdbValueType.ListQuicklist2, b => b.Length(1).Length(2).String(""), "empty string");
        var corrupt = (byte[])node.Clone();
        corrupt[6] = 0xF5; // an unknown encoding byte
        Refused(RdbValueType.ListQuicklist2, b => b.Length(1).Length(2).String(corrupt), "unknown encoding byte 0xF5");
        Refused(RdbValueType.ListQuicklist, b => b.Length(1).String(ZiplistBuilder.Build(["a"])[..^2]), "ziplist");
    }

    // ---- streams ----

    /// <summary>A stream node whose entries all use the master's single field "f": entry i has ID (ms, i).</summary>
    private static byte[] StreamNode(int entries, int declaredEntries = -1) =>
        ListpackBuilder.Build([
            (long)(declaredEntries < 0 ? entries : declaredEntries), 0L, 1L, "f", 0L,
            .. Enumerable.Range(0, entries).SelectMany(i => new object[] { 2L, 0L, (long)i, "v" + i, 4L }),
        ]);

    private static byte[] NodeKey(ulong ms, ulong seq)
    {
        var key = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(key, ms);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(8), seq);
        return key;
    }

    /// <summary>A type-21 stream value: the given nodes, metadata, then <paramref name="groups"/> writes the groups.</summary>
    private static Action<RdbBuilder> Stream(byte[][] nodes, ulong length, Action<RdbBuilder> groups) => b =>
    {
        b.Length((ulong)nodes.Length);
        for (int i = 0; i < nodes.Length; i++) b.String(NodeKey(100 + (ulong)i * 10, 0)).String(nodes[i]);
        b.Length(length).Length(200).Length(0).Length(100).Length(0).Length(0).Length(0).Length(length);
        groups(b);
    };

    private static RdbBuilder Group(RdbBuilder b, string name, ulong[] pending, params (string Name, ulong[] Pending)[] consumers)
    {
        b.String(name).Length(100).Length(1).Length(1).Length((ulong)pending.Length);
        foreach (var seq in pending) b.Raw(NodeKey(100, seq)).Int64(1000).Length(1);
        b.Length((ulong)consumers.Length);
        foreach (var (consumer, owned) in consumers)
        {
            b.String(consumer).Int64(1000).Int64(1000).Length((ulong)owned.Length);
            foreach (var seq in owned) b.Raw(NodeKey(100, seq));
        }
        return b;
    }

    [Fact]
    public void StreamNodesMustBeConsistent()
    {
        var node = StreamNode(2);
        Accepted(RdbValueType.StreamListpacks3, Stream([node], 2, b => b.Length(0)));
        Refused(RdbValueType.StreamListpacks3, Stream([StreamNode(2, declaredEntries: 3)], 3, b => b.Length(0)), "declares 3 live and 0 deleted entries");
        Refused(RdbValueType.StreamListpacks3, Stream([], 2, b => b.Length(0)), "stream length 2 but the stream has no nodes");
        Refused(RdbValueType.StreamListpacks3, b =>
        {
            b.Length(2).String(NodeKey(1, 0)).String(node).String(NodeKey(1, 0)).String(node);
            b.Length(4).Length(200).Length(0).Length(100).Length(0).Length(0).Length(0).Length(4).Length(0);
        }, "comes twice");
        Refused(RdbValueType.StreamListpacks3, b =>
        {
            b.Length(1).String(new byte[15]).String(node);
            b.Length(2).Length(200).Length(0).Length(100).Length(0).Length(0).Length(0).Length(2).Length(0);
        }, "expected 16");
        var badCount = ListpackBuilder.Build([1L, 0L, 1L, "f", 0L, 2L, 0L, 0L, "v", 5L]);
        Refused(RdbValueType.StreamListpacks3, Stream([badCount], 1, b => b.Length(0)), "used 4");
        var badFlags = ListpackBuilder.Build([1L, 0L, 1L, "f", 0L, 9L, 0L, 0L, "v", 4L]);
        Refused(RdbValueType.StreamListpacks3, Stream([badFlags], 1, b => b.Length(0)), "flags");
        var noTerminator = ListpackBuilder.Build([1L, 0L, 1L, "f", 7L, 2L, 0L, 0L, "v", 4L]);
        Refused(RdbValueType.StreamListpacks3, Stream([noTerminator], 1, b => b.Length(0)), "master entry does not end with 0");
    }

    [Fact]
    public void StreamConsumerGroupsMustMatchTheirPendingEntries()
    {
        var node = StreamNode(2);
        Accepted(RdbValueType.StreamListpacks3, Stream([node], 2, b => Group(b.Length(2), "g1", [0, 1], ("c1", [0]), ("c2", [1])).Pipe(x => Group(x, "g2", [], ("c1", []))) ));
        Refused(RdbValueType.StreamListpacks3, Stream([node], 2, b => Group(Group(b.Length(2), "g", []), "g", [])), "consumer group \"g\" comes twice");
        Refused(RdbValueType.StreamListpacks3, Stream([node], 2, b => Group(b.Length(1), "g", [0, 0], ("c", [0]))), "comes twice in a group's PEL");
        Refused(RdbValueType.StreamListpacks3, Stream([node], 2, b => Group(b.Length(1), "g", [0], ("c", [1]))), "is not in its group's PEL");
        Refused(RdbValueType.StreamListpacks3, Stream([node], 2, b => Group(b.Length(1), "g", [0], ("c", [0, 0]))), "comes twice in a consumer's PEL");
        Refused(RdbValueType.StreamListpacks3, Stream([node], 2, b => Group(b.Length(1), "g", [0, 1], ("c", [0]))), "has no consumer");
        Refused(RdbValueType.StreamListpacks3, Stream([node], 2, b => Group(b.Length(1), "g", [], ("c", []), ("c", []))), "consumer \"c\" comes twice");
    }
}

internal static class BuilderPipe
{
    public static RdbBuilder Pipe(this RdbBuilder b, Func<RdbBuilder, RdbBuilder> next) => next(b);
}
