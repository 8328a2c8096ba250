using System.IO.Pipelines;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Validation;
using Shake.Rdb.Tests.Encodings;
using Shake.Rdb.Tests.Fixtures;
using Shake.Testing;

namespace Shake.Rdb.Tests.Validation;

/// <summary>
/// The whole-file pass validates values on other threads while the parser frames the next ones: its verdict and its
/// error must be those of a parse that validates each value before handing it over, however the values fall into
/// batches, queued or validated on the spot, and whichever thread finds the fault.
/// </summary>
public class SpareCoreValidationTests
{
    private static readonly RdbParserOptions Validating = new() { ValidateValues = true };

    // Sets of five members, one listpack each; the ones named are given a duplicate member.
    private static byte[] ManySets(int count, params int[] corrupt)
    {
        var b = new RdbBuilder("REDIS", 11).SelectDb(0);
        for (int i = 0; i < count; i++)
        {
            object last = corrupt.Contains(i) ? "m0" : "m4";
            b.Byte(RdbValueType.SetListpack).String($"set:{i}").String(ListpackBuilder.Build(["m0", "m1", "m2", "m3", last]));
        }
        return b.End();
    }

    private static void SameAsSerial(byte[] file, params (int Workers, int Chunk)[] runs)
    {
        RdbFormatException? serial = null;
        long entries = 0;
        try
        {
            entries = RdbFiles.ParseWhole(file, Validating).Entries.Count;
        }
        catch (RdbFormatException e)
        {
            serial = e;
        }
        foreach (var (workers, chunk) in runs)
        {
            if (serial is null)
            {
                Assert.Equal(entries, RdbFiles.ValidateOnWorkers(file, workers, chunk));
                continue;
            }
            var pass = Assert.Throws<RdbFormatException>(() => RdbFiles.ValidateOnWorkers(file, workers, chunk));
            Assert.Equal(serial.Message, pass.Message);
            Assert.Equal(serial.Offset, pass.Offset);
        }
    }

    [Fact]
    public void ASoundFileOfManyValuesPassesWithEveryKeyCounted()
    {
        var file = ManySets(20_000);
        Assert.Equal(20_000, RdbFiles.ValidateOnWorkers(file, 2, file.Length));
        Assert.Equal(20_000, RdbFiles.ValidateOnWorkers(file, 1, 4096));
        Assert.Equal(20_000, RdbFiles.ValidateOnWorkers(file, 0, 4096));
    }

    [Theory]
    [InlineData(100)] // queued: the batch (the whole file) has room for it
    [InlineData(18_000)] // past what may wait unsettled (16,384 values): validated on the parser's thread
    public void ACorruptValueIsNamedWhereverItFalls(int corrupt)
    {
        var file = ManySets(20_000, corrupt);
        SameAsSerial(file, (1, file.Length), (2, file.Length), (2, 4096), (2, 5), (0, 4096));
        var ex = Assert.Throws<RdbFormatException>(() => RdbFiles.ValidateOnWorkers(file, 1, file.Length));
        Assert.Contains($"key \"set:{corrupt}\"", ex.Message);
        Assert.Contains("duplicate set member", ex.Message);
    }

    [Fact]
    public void ASoundFileInSmallReadsPassesEveryTimeWhicheverThreadFinishesFirst()
    {
        // A read is settled while the workers validate the next one; a later group of values validated first (by the
        // parser's thread or another worker) must never vouch for an earlier one still in a worker's hands, whose
        // input would then be released under it.
        var file = ManySets(20_000);
        for (int round = 0; round < 15; round++)
        {
            foreach (int workers in new[] { 1, 3 })
                Assert.Equal(20_000, RdbFiles.ValidateOnWorkers(file, workers, 2048 + round * 509));
        }
    }

    [Fact]
    public async Task BigValuesAreWaitedForWithoutReadingFarAheadOfThem()
    {
        // Forty 2 MiB values, each followed by a small set, read as a file is: after each value the pass may read ahead
        // by about what it still holds of the next one, never by ever more.
        var b = new RdbBuilder("REDIS", 11).SelectDb(0);
        for (int i = 0; i < 40; i++)
        {
            b.Byte(RdbValueType.String).String($"big:{i}").String(new byte[2 << 20]);
            b.Byte(RdbValueType.SetListpack).String($"set:{i}").String(ListpackBuilder.Build(["a", "b", "c"]));
        }
        var stream = new CountingStream(b.End());
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: RdbPipeReader.FileReadSize, minimumReadSize: RdbPipeReader.FileReadSize / 4));
        var handler = new ReadAheadHandler(stream);
        var result = await RdbFileValidator.ValidateAsync(reader, handler, workers: 1, CancellationToken.None);
        Assert.Equal(80, result.Entries);
        Assert.InRange(handler.MostAhead, 0, 8 << 20);
    }

    private sealed class CountingStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data, writable: false);

        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read = _inner.Read(buffer);
            BytesRead += read;
            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // How far the reads ran ahead of an entry handed over.
    private sealed class ReadAheadHandler(CountingStream stream) : IRdbHandler
    {
        public long MostAhead { get; private set; }

        public bool OnEntry(in RdbEntry entry)
        {
            MostAhead = Math.Max(MostAhead, stream.BytesRead - entry.Offset);
            return true;
        }
    }

    [Fact]
    public void TheChecksumFoldedOnTheWorkersCatchesAFlippedByte()
    {
        // Strings between the sets, so that reads hold ranges with and without queued values.
        var b = new RdbBuilder("REDIS", 11).SelectDb(0);
        for (int i = 0; i < 5_000; i++)
        {
            b.StringEntry($"s:{i}", $"value-{i}");
            b.Byte(RdbValueType.SetListpack).String($"set:{i}").String(ListpackBuilder.Build(["m0", "m1", $"x{i}"]));
        }
        var file = b.End();
        SameAsSerial(file, (1, 4096), (2, 4096), (3, 777), (1, file.Length));
        // A byte of a string value, far into the file: only the checksum can tell.
        int at = Array.LastIndexOf(file, (byte)'4', file.Length / 2);
        var flipped = file.ToArray();
        flipped[at] = (byte)'5';
        SameAsSerial(flipped, (1, 4096), (2, 4096), (3, 777), (1, flipped.Length));
        Assert.Contains("checksum mismatch", Assert.Throws<RdbFormatException>(() => RdbFiles.ValidateOnWorkers(flipped, 1, 4096)).Message);
    }

    [Fact]
    public void OfTwoCorruptValuesTheFirstInTheFileIsReported()
    {
        // The second is validated on the spot while the first waits in the queue: the first still wins.
        var file = ManySets(20_000, 3_000, 18_000);
        SameAsSerial(file, (1, file.Length), (2, file.Length), (2, 4096));
        Assert.Contains("key \"set:3000\"", Assert.Throws<RdbFormatException>(() => RdbFiles.ValidateOnWorkers(file, 2, file.Length)).Message);
        // Two in one group of queued values.
        SameAsSerial(ManySets(500, 40, 41), (1, 1 << 20), (2, 4096));
    }

    [Fact]
    public void ACorruptValueBeforeTheEndOfATruncatedFileIsWhatIsReported()
    {
        var file = ManySets(2_000, 1_500);
        var truncated = file[..^100];
        SameAsSerial(truncated, (1, truncated.Length), (2, 4096));
        Assert.Contains("key \"set:1500\"", Assert.Throws<RdbFormatException>(() => RdbFiles.ValidateOnWorkers(truncated, 1, 4096)).Message);
    }

    [Fact]
    public void AnEncodedKeyOfACorruptValueIsNamedAsDecoded()
    {
        var blob = ListpackBuilder.Build(["a", "b", "a"]);
        var lzfKey = new string('k', 40) + "-compressed";
        var lzf = new RdbBuilder("REDIS", 11).SelectDb(0).StringEntry("before", "ok")
            .Byte(RdbValueType.SetListpack).LzfString(System.Text.Encoding.ASCII.GetBytes(lzfKey)).String(blob).End();
        SameAsSerial(lzf, (1, lzf.Length), (2, 7));
        Assert.Contains($"key \"{lzfKey}\"", Assert.Throws<RdbFormatException>(() => RdbFiles.ValidateOnWorkers(lzf, 1, lzf.Length)).Message);
        // An integer-encoded key (0xC1: a 16-bit integer).
        var integer = new RdbBuilder("REDIS", 11).SelectDb(0)
            .Byte(RdbValueType.SetListpack).Raw(0xC1, 0x39, 0x30).String(blob).End();
        SameAsSerial(integer, (1, integer.Length), (2, 3));
        Assert.Contains("key \"12345\"", Assert.Throws<RdbFormatException>(() => RdbFiles.ValidateOnWorkers(integer, 1, integer.Length)).Message);
    }

    [SharedFact]
    public void EveryCorpusFileGetsTheVerdictOfASerialParse()
    {
        var root = SharedAssets.PathOf("corpus")!;
        var files = Directory.GetFiles(root, "*.rdb", SearchOption.AllDirectories).Order().ToList();
        Assert.NotEmpty(files);
        foreach (var path in files)
        {
            // Valkey files too: their magic reaches the workers with the first value.
            SameAsSerial(File.ReadAllBytes(path), (1, 1 << 20), (2, 4096), (0, 4096));
        }
    }
}
