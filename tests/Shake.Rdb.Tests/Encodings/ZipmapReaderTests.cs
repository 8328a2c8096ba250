using System.Text;
using Shake.Rdb.Encodings;
using Shake.Testing;

namespace Shake.Rdb.Tests.Encodings;

public class ZipmapReaderTests
{
    [SharedFact]
    public void Decodes_hash_zipmap_from_corpus()
    {
        var bytes = File.ReadAllBytes(SharedAssets.PathOf("corpus", "redis-tests", "hash-zipmap.rdb")!);
        var at = bytes.AsSpan().IndexOf("\u0004hash"u8) + 5;
        var blob = bytes.AsSpan(at + 1, bytes[at]).ToArray();
        Assert.Equal(["f1", "v1", "f2", "v2"], Drain.Zipmap(blob));
    }

    private static byte[] Build(int declared, params (byte[] Field, byte[] Value, int Free)[] pairs)
    {
        var blob = new List<byte> { (byte)declared };
        foreach (var (field, value, free) in pairs)
        {
            AddLength(blob, field.Length);
            blob.AddRange(field);
            AddLength(blob, value.Length);
            blob.Add((byte)free);
            blob.AddRange(value);
            blob.AddRange(new byte[free]);
        }
        blob.Add(0xFF);
        return blob.ToArray();
    }

    private static void AddLength(List<byte> blob, int length)
    {
        if (length < 254) blob.Add((byte)length);
        else { blob.Add(254); blob.AddRange(BitConverter.GetBytes((uint)length)); }
    }

    [Fact]
    public void Decodes_long_values_free_space_and_unknown_count()
    {
        var big = Encoding.ASCII.GetBytes(new string('v', 1000));
        var blob = Build(254, ("a"u8.ToArray(), big, 3), ("empty"u8.ToArray(), [], 0), (new byte[300], "x"u8.ToArray(), 1));
        var reader = new ZipmapReader(blob);
        Assert.True(reader.TryRead(out var f, out var v));
        Assert.Equal("a", Encoding.ASCII.GetString(f));
        Assert.Equal(1000, v.Length);
        Assert.True(reader.TryRead(out f, out v));
        Assert.Equal(0, v.Length);
        Assert.True(reader.TryRead(out f, out v));
        Assert.Equal(300, f.Length);
        Assert.False(reader.TryRead(out _, out _));
    }

    [Fact]
    public void Malformed_zipmaps_are_rejected()
    {
        var blob = Build(2, ("field"u8.ToArray(), "value"u8.ToArray(), 2), (new byte[260], "v"u8.ToArray(), 0));
        Assert.Equal(4, Drain.Zipmap(blob).Count);
        for (var cut = 0; cut < blob.Length; cut++)
        {
            Assert.Throws<RdbFormatException>(() => Drain.Zipmap(blob.AsSpan(0, cut)));
            if (cut >= 2)
            {
                var patched = blob[..cut];
                patched[^1] = 0xFF;
                Assert.Throws<RdbFormatException>(() => Drain.Zipmap(patched));
            }
        }
        var wrongCount = blob.ToArray();
        wrongCount[0] = 3;
        Assert.Throws<RdbFormatException>(() => Drain.Zipmap(wrongCount));
        var random = new Random(6);
        for (var i = 0; i < 5000; i++)
        {
            var mutated = blob.ToArray();
            mutated[random.Next(0, mutated.Length - 1)] = (byte)random.Next(256);
            Drain.SurvivesOrRejects(() => Drain.Zipmap(mutated));
        }
    }
}
