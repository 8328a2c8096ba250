using System.Buffers;
using System.Text;
using Shake.Core.Configuration;
using Shake.Core.Writers;
using Shake.Rdb.Compression;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Resp.Protocol;

namespace Shake.Core.Tests.Writers;

public class WriteFormPartsTests
{
    private static string Decode(byte[] raw)
    {
        Assert.True(RdbStringValue.TryDecode(raw, new byte[64], out var value));
        return Encoding.ASCII.GetString(value);
    }

    [Fact]
    public void Decodes_every_string_encoding()
    {
        Assert.Equal("abc", Decode([3, (byte)'a', (byte)'b', (byte)'c']));
        Assert.Equal("", Decode([0]));
        Assert.Equal("-5", Decode([0xC0, 0xFB]));
        Assert.Equal("-300", Decode([0xC1, 0xD4, 0xFE]));
        Assert.Equal("-2147483648", Decode([0xC2, 0, 0, 0, 0x80]));
        var plain = Encoding.ASCII.GetBytes(new string('z', 40) + "tail");
        var compressed = new byte[64];
        var n = Lzf.Compress(plain, compressed);
        Assert.True(n > 0);
        Assert.Equal(Encoding.ASCII.GetString(plain), Decode([0xC3, (byte)n, (byte)plain.Length, .. compressed.AsSpan(0, n)]));
        var long14 = new byte[2 + 300];
        long14[0] = 0x40 | (300 >> 8);
        long14[1] = 300 & 0xFF;
        Assert.True(RdbStringValue.TryDecode(long14, default, out var v14));
        Assert.Equal(300, v14.Length);
        var long32 = new byte[5 + 70_000];
        long32[0] = 0x80;
        long32[2] = 1;
        long32[3] = 0x11;
        long32[4] = 0x70;
        Assert.True(RdbStringValue.TryDecode(long32, default, out var v32));
        Assert.Equal(70_000, v32.Length);
    }

    [Fact]
    public void Refuses_what_is_not_one_whole_string_or_does_not_fit()
    {
        Assert.False(RdbStringValue.TryDecode([3, (byte)'a'], new byte[8], out _));
        Assert.False(RdbStringValue.TryDecode([0xC4], new byte[8], out _));
        Assert.False(RdbStringValue.TryDecode(ReadOnlySpan<byte>.Empty, new byte[8], out _));
        var plain = new byte[100];
        var compressed = new byte[128];
        var n = Lzf.Compress(plain, compressed);
        Assert.False(RdbStringValue.TryDecode([0xC3, (byte)n, 100, .. compressed.AsSpan(0, n)], new byte[50], out _));
    }

    [Fact]
    public void A_batch_is_one_mset_or_msetnx_with_every_pair()
    {
        var batch = new StringBatch(maxKeys: 3);
        Assert.True(batch.Accepts(2, 5));
        batch.Add("a"u8, "1"u8, 2, 5);
        Assert.False(batch.Accepts(0, 5));
        Assert.False(batch.Accepts(2, 4));
        batch.Add("b"u8, ""u8, 2, 5);
        Assert.False(batch.IsFull);
        batch.Add("c\r\n"u8, "33"u8, 2, 5);
        Assert.True(batch.IsFull);
        var request = batch.Take(nx: true);
        Assert.Equal(0, batch.Count);
        Assert.Equal((3, 2, 5), (request.Count, request.TargetDb, request.SourceDb));
        Assert.Equal("*7\r\n$6\r\nMSETNX\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$0\r\n\r\n$3\r\nc\r\n\r\n$2\r\n33\r\n", Encoding.ASCII.GetString(request.Encoded));
        Assert.Equal("'a', 'b' and 1 more", StringBatch.DescribeKeys(request.Encoded, 2));
        batch.Return(request.Buffer);
    }

    [Fact]
    public void A_batch_grows_past_its_first_buffer()
    {
        var batch = new StringBatch(maxKeys: 1000, maxBytes: 1 << 20);
        var value = new byte[5000];
        for (var i = 0; i < 100; i++) batch.Add(Encoding.ASCII.GetBytes($"key{i}"), value, 0, 0);
        var request = batch.Take(nx: false);
        Assert.StartsWith("*201\r\n$4\r\nMSET\r\n$4\r\nkey0\r\n$5000\r\n", Encoding.ASCII.GetString(request.Encoded[..40]));
        Assert.Equal(100, request.Count);
        batch.Return(request.Buffer);
    }

    private static RdbEntry Entry(byte[] raw, long expireAt = -1, long idle = -1, int freq = -1, RdbLogicalType type = RdbLogicalType.String, byte typeByte = 0) =>
        new(0, "key"u8, typeByte, type, new ReadOnlySequence<byte>(raw), expireAt, idle, freq, 10, RdbMagicKind.Redis, 0, default);

    [Theory]
    [InlineData(RestoreBehavior.Rewrite, -1, EntryForm.Batch)]
    [InlineData(RestoreBehavior.Panic, -1, EntryForm.Batch)]
    [InlineData(RestoreBehavior.Skip, -1, EntryForm.Set)]
    [InlineData(RestoreBehavior.Rewrite, 1_900_000_000_000, EntryForm.Set)]
    [InlineData(RestoreBehavior.Panic, 1_900_000_000_000, EntryForm.Set)]
    public void Strings_are_batched_or_set_by_behavior_and_ttl(RestoreBehavior behavior, long expireAt, EntryForm expected)
    {
        var chooser = new EntryFormChooser(RestoreForm.Auto, behavior, "7.0.15");
        Assert.Equal(expected, chooser.Choose(Entry([1, (byte)'v'], expireAt), out var value));
        Assert.Equal("v", Encoding.ASCII.GetString(value));
    }

    [Fact]
    public void Restore_stays_where_another_form_would_lose_something()
    {
        var auto = new EntryFormChooser(RestoreForm.Auto, RestoreBehavior.Rewrite, "7.0.15");
        Assert.Equal(EntryForm.Restore, auto.Choose(Entry([1, (byte)'v'], idle: 10), out _));
        Assert.Equal(EntryForm.Restore, auto.Choose(Entry([1, (byte)'v'], freq: 3), out _));
        Assert.Equal(EntryForm.Restore, auto.Choose(Entry([1, 1], type: RdbLogicalType.List, typeByte: 18), out _));
        Assert.Equal(EntryForm.Restore, auto.Choose(Entry([0x80, 0, 0, 0x40, 1, .. new byte[EntryFormChooser.MaxStringLength + 1]]), out _));
        Assert.Equal(EntryForm.Restore, new EntryFormChooser(RestoreForm.Restore, RestoreBehavior.Rewrite, "7.0.15").Choose(Entry([1, (byte)'v']), out _));
        // PXAT came with 6.2.
        var old = new EntryFormChooser(RestoreForm.Auto, RestoreBehavior.Rewrite, "6.0.9");
        Assert.Equal(EntryForm.Restore, old.Choose(Entry([1, (byte)'v'], 1_900_000_000_000), out _));
        Assert.Equal(EntryForm.Batch, old.Choose(Entry([1, (byte)'v']), out _));
    }
}
