using System.Buffers;
using System.Diagnostics;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Tests.Encodings;
using Shake.Rdb.Tests.Fixtures;
using Shake.Rdb.Values;
using Shake.Testing;

namespace Shake.Rdb.Tests.Parsing;

/// <summary>
/// Mutated inputs (flipped bytes, truncations, forged huge lengths, spliced chunks) with fixed seeds: each parse and
/// decode must end quickly with success or an <see cref="RdbFormatException"/>, and allocate only a bounded amount.
/// </summary>
public class FuzzTests
{
    private const int MutantsPerFile = 300;

    [Fact]
    public async Task MutatedFilesOnlyEverFailWithRdbFormatException()
    {
        var inputs = new List<(string Name, byte[] Bytes)> { ("crafted", CraftedMixedFile()) };
        var root = SharedAssets.PathOf("corpus");
        if (root is not null)
        {
            foreach (var path in Directory.GetFiles(root, "*.rdb", SearchOption.AllDirectories).Order())
                inputs.Add((Path.GetFileName(path), File.ReadAllBytes(path)));
        }
        var run = Task.Run(() =>
        {
            int failures = 0, successes = 0;
            for (int f = 0; f < inputs.Count; f++)
            {
                var (name, original) = inputs[f];
                var rnd = new Random(1000 + f);
                for (int m = 0; m < MutantsPerFile; m++)
                {
                    var mutant = Mutate(original, rnd);
                    var watch = Stopwatch.StartNew();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    try
                    {
                        ParseAndDecode(mutant);
                        successes++;
                    }
                    catch (RdbFormatException)
                    {
                        failures++;
                    }
                    catch (Exception e)
                    {
                        throw new Xunit.Sdk.XunitException($"{name} mutant {m} threw {e.GetType().Name}: {e}");
                    }
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    Assert.True(allocated < 64L * 1024 * 1024 + 20L * mutant.Length, $"{name} mutant {m} allocated {allocated} bytes");
                    Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{name} mutant {m} took {watch.Elapsed}");
                }
            }
            return (failures, successes);
        });
        var (failed, succeeded) = await run.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(failed > 0 && failed + succeeded == inputs.Count * MutantsPerFile);
    }

    [Fact]
    public async Task MutatedFilesPassValidationOnlyWhenEveryValueDecodes()
    {
        var inputs = new List<(string Name, byte[] Bytes)> { ("crafted", CraftedMixedFile()) };
        var root = SharedAssets.PathOf("corpus");
        if (root is not null)
        {
            foreach (var path in Directory.GetFiles(root, "*.rdb", SearchOption.AllDirectories).Order())
                inputs.Add((Path.GetFileName(path), File.ReadAllBytes(path)));
        }
        var run = Task.Run(() =>
        {
            int refused = 0, accepted = 0;
            for (int f = 0; f < inputs.Count; f++)
            {
                var (name, original) = inputs[f];
                var rnd = new Random(5000 + f);
                for (int m = 0; m < MutantsPerFile; m++)
                {
                    var mutant = Mutate(original, rnd);
                    try
                    {
                        // Checksum off, so that mutated values reach the validator instead of failing at the end.
                        RdbFiles.ParseWhole(mutant, new RdbParserOptions { VerifyChecksum = false, MaxStringLength = 64 << 20, ValidateValues = true });
                    }
                    catch (RdbFormatException e)
                    {
                        Assert.False(string.IsNullOrEmpty(e.Reason));
                        refused++;
                        continue;
                    }
                    catch (Exception e)
                    {
                        throw new Xunit.Sdk.XunitException($"{name} mutant {m}: validation threw {e.GetType().Name}: {e}");
                    }
                    // What validation accepts must decode without a complaint.
                    try
                    {
                        ParseAndDecode(mutant);
                    }
                    catch (Exception e)
                    {
                        throw new Xunit.Sdk.XunitException($"{name} mutant {m} passed validation but does not decode: {e}");
                    }
                    accepted++;
                }
            }
            return (refused, accepted);
        });
        var (refusedCount, acceptedCount) = await run.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(refusedCount > 0 && acceptedCount > 0, $"{refusedCount} refused, {acceptedCount} accepted");
    }

    [Fact]
    public Task MutantsFedThroughAPipeInSmallReadsFailTheSameWay() =>
        FailLikeAWholeValidatingParse(77, "piped", (mutant, _) => RdbFiles.Parse(mutant, new RdbParserOptions { ValidateValues = true }, chunk: 7));

    [Fact]
    public Task MutantsValidatedOnOtherThreadsFailTheSameWay() =>
        FailLikeAWholeValidatingParse(91, "spare cores",
            (mutant, m) => RdbFiles.ValidateOnWorkers(mutant, workers: 1 + m % 2, chunk: m % 3 == 0 ? 7 : mutant.Length + 1));

    // 500 mutants of the crafted file: the other way of reading each fails where a validating parse of the whole
    // input fails (same offset), or passes when it passes.
    private static async Task FailLikeAWholeValidatingParse(int seed, string name, Action<byte[], int> read)
    {
        var original = CraftedMixedFile();
        var rnd = new Random(seed);
        var run = Task.Run(() =>
        {
            for (int m = 0; m < 500; m++)
            {
                var mutant = Mutate(original, rnd);
                Exception? whole = null, other = null;
                try { RdbFiles.ParseWhole(mutant, new RdbParserOptions { ValidateValues = true }); } catch (Exception e) { whole = e; }
                try { read(mutant, m); } catch (Exception e) { other = e; }
                Assert.True(whole is null or RdbFormatException, $"mutant {m}: {whole}");
                Assert.True(other is null or RdbFormatException, $"mutant {m}: {other}");
                Assert.True((whole as RdbFormatException)?.Offset == (other as RdbFormatException)?.Offset, $"mutant {m}: whole: {whole?.Message} {name}: {other?.Message}");
            }
        });
        await run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static void ParseAndDecode(byte[] data)
    {
        var handler = new DecodingHandler();
        using var parser = new RdbParser<DecodingHandler>(handler, new RdbParserOptions { VerifyChecksum = false, MaxStringLength = 64 << 20 });
        try
        {
            parser.Parse(new ReadOnlySequence<byte>(data), true, out _, out _);
        }
        finally
        {
            parser.Handler.Dispose();
        }
    }

    internal static byte[] Mutate(byte[] original, Random rnd)
    {
        var data = (byte[])original.Clone();
        switch (rnd.Next(5))
        {
            case 0:
                for (int i = rnd.Next(1, 5); i > 0; i--) data[rnd.Next(9, data.Length)] ^= (byte)(1 << rnd.Next(8));
                return data;
            case 1:
                return data[..rnd.Next(0, data.Length)];
            case 2:
            {
                int at = rnd.Next(9, data.Length - 9);
                data[at] = 0x81;
                for (int i = 1; i < 9; i++) data[at + i] = (byte)rnd.Next(256);
                return data;
            }
            case 3:
            {
                int from = rnd.Next(9, data.Length), to = rnd.Next(9, data.Length), len = rnd.Next(1, 64);
                len = Math.Min(len, Math.Min(data.Length - from, data.Length - to));
                Array.Copy(original, from, data, to, len);
                return data;
            }
            default:
                data[rnd.Next(9, data.Length)] = (byte)rnd.Next(256);
                return data;
        }
    }

    private static byte[] CraftedMixedFile()
    {
        var b = new RdbBuilder("REDIS", 11).Aux("redis-ver", "7.2.0").SelectDb(0);
        for (int i = 0; i < 20; i++) b.StringEntry("k" + i, new string((char)('a' + i), i * 7));
        b.Byte(1).String("list").Length(3).String("a").String("bb").String("ccc");
        b.Byte(2).String("set").Length(2).String("x").String("y");
        b.Byte(4).String("hash").Length(2).String("f").String("v").String("g").String("w");
        b.Byte(5).String("zset").Length(1).String("m").Raw(BitConverter.GetBytes(1.5));
        b.Byte(3).String("zset1").Length(1).String("m").Byte(3).Raw("2.5"u8.ToArray());
        b.Byte(7).String("module").Length(12345).Length(2).Length(9).Length(5).String("payload").Length(0);
        // Compact encodings, the validator's fast paths: small listpacks with strings and 7- and 13-bit integers.
        b.Byte(20).String("setlp").String(ListpackBuilder.Build(["a", "b", 7L, -1000L]));
        b.Byte(16).String("hashlp").String(ListpackBuilder.Build(["f", "v", "g", 5L, 300L, "w"]));
        b.Byte(17).String("zsetlp").String(ListpackBuilder.Build(["m", 1L, "n", -200L]));
        b.Byte(18).String("quicklist").Length(1).Length(2).String(ListpackBuilder.Build(["x", "yy", 3L]));
        b.Byte(20).String("setlzf").LzfString(ListpackBuilder.Build(Enumerable.Range(0, 10).Select(i => (object)$"member-{i}")));
        b.Byte(18).String("quicklistlzf").Length(1).Length(2).LzfString(ListpackBuilder.Build(Enumerable.Range(0, 10).Select(i => (object)$"item-{i}")));
        b.Byte(11).String("intset").String([2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0]);
        return b.End();
    }

    /// <summary>Decodes every entry as it arrives, as <c>shake rdb json</c> would.</summary>
    private sealed class DecodingHandler : IRdbHandler, IDisposable
    {
        private readonly RdbValueDecoder _decoder = new();


        public bool OnEntry(in RdbEntry entry)
        {
            var visitor = new CountingVisitor();
            _decoder.Decode(entry.Type, entry.RawValue, entry.Magic, ref visitor);
            return true;
        }

        public void Dispose() => _decoder.Dispose();
    }

    private struct CountingVisitor : IRdbValueVisitor
    {
        public long Bytes;
        public void OnString(ReadOnlySpan<byte> value) => Bytes += value.Length;
        public void OnListItem(ReadOnlySpan<byte> item) => Bytes += item.Length;
        public void OnSetMember(ReadOnlySpan<byte> member) => Bytes += member.Length;
        public void OnZSetMember(ReadOnlySpan<byte> member, double score) => Bytes += member.Length;
        public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs) => Bytes += field.Length + value.Length;
        public void OnStreamEntry(StreamId id, int fieldCount) { }
        public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) => Bytes += field.Length + value.Length;
        public void OnStreamMetadata(in StreamMetadata metadata) { }
        public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead) { }
        public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) { }
        public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs) { }
        public void OnStreamConsumerPendingEntry(StreamId id) { }
        public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) => Bytes += data.Length;
    }
}
