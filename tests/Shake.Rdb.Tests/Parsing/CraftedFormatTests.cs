using System.Buffers;
using Shake.Rdb.Format;
using Shake.Rdb.Tests.Canon;
using Shake.Rdb.Tests.Fixtures;
using Shake.Rdb.Values;

namespace Shake.Rdb.Tests.Parsing;

/// <summary>Layouts no local server writes: Valkey 9 files, Redis 8.6 key metadata, very old versions.</summary>
public class CraftedFormatTests
{
    [Fact]
    public void ValkeyMagicSelectsValkeyMeaningsOfTypeAndOpcodeNumbers()
    {
        var rdb = new RdbBuilder("VALKEY", 80)
            .Aux("valkey-ver", "9.0.0")
            .Byte(243).String("import-job").Length(2).Length(0).Length(100).Length(200).Length(300) // SLOT_IMPORT
            .Byte(244).Length(5).Length(10).Length(1)                                              // SLOT_INFO
            .SelectDb(0)
            .Byte(22).String("h").Length(2)                                                         // HASH_2
                .String("f1").String("v1").Int64(-1)
                .String("f2").String("v2").Int64(4102444800000)
            .StringEntry("s", "x")
            .End();
        var parsed = RdbFiles.Parse(rdb, chunk: 5);
        Assert.Equal(RdbMagicKind.Valkey, parsed.Magic);
        Assert.Equal(80, parsed.Version);
        Assert.Equal(2, parsed.Entries.Count);
        var hash = parsed.Entries[0];
        Assert.Equal(RdbLogicalType.Hash, hash.LogicalType);
        var value = new CanonicalValue(0);
        using var decoder = new RdbValueDecoder();
        decoder.Decode(hash.Type, new ReadOnlySequence<byte>(hash.Raw), hash.Magic, ref value);
        Assert.Equal("[\"f1\"=\"v1\",\"f2\"=\"v2\"] fttl=[\"f2\"]", value.Format(RdbLogicalType.Hash));
        Assert.True(parsed.ChecksumVerified);
    }

    [Fact]
    public void TheSameNumbersInARedisFileMeanRedisTypes()
    {
        // 22 in a REDIS file is the 7.4 release-candidate hash with absolute field TTLs (0 = none).
        var rdb = new RdbBuilder("REDIS", 12)
            .Byte(22).String("h").Length(1).Length(4102444800000).String("f").String("v")
            .End();
        var parsed = RdbFiles.Parse(rdb);
        var e = Assert.Single(parsed.Entries);
        Assert.Equal(RdbValueType.RedisHashMetadataPreGa, e.Type);
        var value = new CanonicalValue(0);
        using var decoder = new RdbValueDecoder();
        decoder.Decode(e.Type, new ReadOnlySequence<byte>(e.Raw), e.Magic, ref value);
        Assert.Equal("[\"f\"=\"v\"] fttl=[\"f\"]", value.Format(RdbLogicalType.Hash));

        // 243 in a REDIS file is key metadata in front of an entry.
        var meta = new RdbBuilder("REDIS", 13)
            .Byte(243).Length(1).Raw(1, 2, 3, 4).Length(2).Length(7).Length(5).String("m").Length(0)
            .StringEntry("k", "v")
            .End();
        var withMeta = Assert.Single(RdbFiles.Parse(meta, chunk: 3).Entries);
        Assert.Equal("k", withMeta.KeyText);
        Assert.Equal(new byte[] { 243, 1, 1, 2, 3, 4, 2, 7, 5, 1, (byte)'m', 0 }, withMeta.KeyMetadata);
        Assert.Equal(9, withMeta.Offset);
        var payload = Shake.Rdb.Dump.DumpPayload.ToArray(new ReadOnlySequence<byte>(withMeta.KeyMetadata), withMeta.Type, new ReadOnlySequence<byte>(withMeta.Raw), 13);
        Assert.Equal(243, payload[0]);
        Assert.Equal(withMeta.KeyMetadata.Length + 1 + withMeta.Raw.Length + 10, payload.Length);
        Assert.True(Shake.Rdb.Dump.DumpPayload.Verify(payload, 13));
    }

    [Fact]
    public void RedisStreamLayout4SkipsIdempotentProducerState()
    {
        // An empty stream (no nodes) with one group, then IDMP: duration, max, 1 producer with 1 entry, 2 counters.
        var rdb = new RdbBuilder("REDIS", 13)
            .Byte(26).String("s")
            .Length(0)                               // listpack nodes
            .Length(0).Length(5).Length(1)           // length, last id
            .Length(5).Length(1).Length(0).Length(0).Length(3) // first id, max deleted id, entries added
            .Length(1).String("g").Length(5).Length(1).Length(3) // group, last id, entries read
            .Length(0)                               // group PEL
            .Length(1).String("c").Int64(1).Int64(2).Length(0) // consumer with seen/active times, no PEL
            .Length(100).Length(1000).Length(1).String("producer").Length(1).String("iid-1").Length(5).Length(1)
            .Length(1).Length(0)
            .StringEntry("after", "x")
            .End();
        var parsed = RdbFiles.Parse(rdb, chunk: 2);
        Assert.Equal(2, parsed.Entries.Count);
        var stream = parsed.Entries[0];
        Assert.Equal(RdbLogicalType.Stream, stream.LogicalType);
        var value = new CanonicalValue(0);
        using var decoder = new RdbValueDecoder();
        Assert.Equal(0, decoder.Decode(stream.Type, new ReadOnlySequence<byte>(stream.Raw), stream.Magic, ref value));
        Assert.Contains("name=\"g\",consumers=1", value.Format(RdbLogicalType.Stream));
    }

    [Fact]
    public void OldVersionsWithSecondExpiriesAndNoChecksumParse()
    {
        var rdb = new RdbBuilder("REDIS", 2)
            .SelectDb(1)
            .Byte(253).Int32(2_000_000_000).StringEntry("k", "v")
            .Byte(0).String("n").Raw(0xC0, 0x85) // int8-encoded string -123
            .End();
        var parsed = RdbFiles.Parse(rdb);
        Assert.False(parsed.ChecksumPresent);
        Assert.Equal(2_000_000_000_000L, parsed.Entries[0].ExpireAtMs);
        Assert.Equal(1, parsed.Entries[0].Db);
        var value = new CanonicalValue(0);
        using var decoder = new RdbValueDecoder();
        decoder.Decode(0, new ReadOnlySequence<byte>(parsed.Entries[1].Raw), RdbMagicKind.Redis, ref value);
        Assert.Equal("\"-123\"", value.Format(RdbLogicalType.String));
    }

    [Fact]
    public void IdleFrequencyModuleAuxAndModuleValuesAreSurfaced()
    {
        var rdb = new RdbBuilder("REDIS", 9)
            .Byte(247).Length(0xABCDEF).Length(2).Length(2).Length(5).String("aux-data").Length(0) // MODULE_AUX: id, when-opcode, when, string, EOF
            .Byte(248).Length(1234).StringEntry("idle", "v")
            .Byte(249).Byte(7).StringEntry("freq", "v")
            .StringEntry("plain", "v")
            .Byte(7).String("mod").Length(42).Length(1).Length(5).Length(3).Raw(0, 0, 128, 63).Length(4).Raw(BitConverter.GetBytes(2.5)).Length(5).String("s").Length(0)
            .End();
        var parsed = RdbFiles.Parse(rdb, chunk: 4);
        Assert.Equal([0xABCDEFUL], parsed.ModuleAux);
        Assert.Equal(1234, parsed.Entries[0].IdleSeconds);
        Assert.Equal(-1, parsed.Entries[0].Frequency);
        Assert.Equal(7, parsed.Entries[1].Frequency);
        Assert.Equal(-1, parsed.Entries[1].IdleSeconds);
        Assert.Equal(-1, parsed.Entries[2].IdleSeconds);
        var module = parsed.Entries[3];
        Assert.Equal(RdbLogicalType.Module, module.LogicalType);
        var visitor = new ModuleCapture();
        using var decoder = new RdbValueDecoder();
        Assert.Equal(1, decoder.Decode(module.Type, new ReadOnlySequence<byte>(module.Raw), module.Magic, ref visitor));
        Assert.Equal(42UL, visitor.Id);
        Assert.Equal(module.Raw.Length - 1, visitor.Length);
    }

    private struct ModuleCapture : IRdbValueVisitor
    {
        public ulong Id;
        public long Length;
        public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) { Id = moduleId; Length = data.Length; }
        public void OnString(ReadOnlySpan<byte> value) { }
        public void OnListItem(ReadOnlySpan<byte> item) { }
        public void OnSetMember(ReadOnlySpan<byte> member) { }
        public void OnZSetMember(ReadOnlySpan<byte> member, double score) { }
        public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs) { }
        public void OnStreamEntry(StreamId id, int fieldCount) { }
        public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) { }
        public void OnStreamMetadata(in StreamMetadata metadata) { }
        public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead) { }
        public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) { }
        public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs) { }
        public void OnStreamConsumerPendingEntry(StreamId id) { }
    }

    [Fact]
    public void ZeroChecksumMeansNotChecked()
    {
        var parsed = RdbFiles.Parse(new RdbBuilder("REDIS", 9).StringEntry("k", "v").End(checksum: false));
        Assert.True(parsed.Ended);
        Assert.False(parsed.ChecksumPresent);
    }

    [Theory]
    [InlineData("REDIS", 13, 27, "unknown value type 27")]
    [InlineData("VALKEY", 80, 23, "path hash")]
    [InlineData("VALKEY", 80, 24, "unknown value type 24")]
    [InlineData("REDIS", 11, 8, "unknown value type 8")]
    [InlineData("REDIS", 11, 6, "module value of Redis 4.0")]
    public void UnsupportedTypesStopWithTheirNumberAndOffset(string magic, int version, byte type, string message)
    {
        var rdb = new RdbBuilder(magic, version).Aux("a", "b").Byte(type).String("k").String("v").End();
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(rdb));
        Assert.Contains(message, ex.Message);
        Assert.Equal(9 + 1 + 2 + 2, ex.Offset);
    }

    [Fact]
    public void ValkeyUpdateOpcodeIsRefused()
    {
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(new RdbBuilder("VALKEY", 81).Byte(242).End()));
        Assert.Contains("242", ex.Message);
        Assert.Equal(9, ex.Offset);
    }

    [Theory]
    [InlineData("REDIS0014")]
    [InlineData("VALKEY079")]
    [InlineData("REDIX0010")]
    [InlineData("REDIS00a1")]
    public void BadHeadersAreRefused(string header)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(header + "\xff");
        Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(bytes));
    }
}
