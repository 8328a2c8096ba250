using System.Buffers;
using BenchmarkDotNet.Attributes;
using K4os.Compression.LZ4;
using Shake.Core.Spool;

namespace Shake.Benchmarks;

/// <summary>
/// The spool's overflow files with and without LZ4 on 32 MiB of replication stream bytes, handed over in 64 KiB reads
/// as the source socket does. <see cref="Append"/> is the work on the socket's receive thread while the spool is on
/// disk (compress + write through the page cache); <see cref="AppendThenRead"/> adds the feeder's read and decode.
/// MB/s = 32 MiB / mean. The setup prints the disk the files take per input ("spool files: ...").
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class SpoolCompressionBenchmarks
{
    private const int Size = 32 << 20;
    private const int ReadSize = 64 * 1024;

    private byte[] _data = [];
    private readonly byte[] _readBuffer = new byte[ReadSize];
    private string _directory = "";

    [Params("resp-text", "resp-json", "rdb")]
    public string Data { get; set; } = "";

    [Params(SpoolCompression.None, SpoolCompression.Lz4)]
    public SpoolCompression Compression { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = SpoolBenchmarkInputs.Create(Data, Size);
        _directory = Path.Combine(Path.GetTempPath(), "shake-spool-bench", Guid.NewGuid().ToString("N"));
        using var storage = Open();
        var stored = AppendAll(storage);
        Console.WriteLine($"// spool files: {Data} {Compression}: {Size} bytes -> {stored} bytes on disk ({100.0 * stored / Size:F1}%)");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    private ISpoolStorage Open() => Compression == SpoolCompression.Lz4
        ? new Lz4SpoolFiles(_directory, 64L << 20)
        : new SpoolFiles(_directory, 64L << 20);

    private long AppendAll(ISpoolStorage storage)
    {
        long stored = 0;
        for (var i = 0; i < _data.Length; i += ReadSize)
            stored += storage.Append(new ReadOnlySequence<byte>(_data, i, Math.Min(ReadSize, _data.Length - i)));
        return stored;
    }

    [Benchmark]
    public long Append()
    {
        using var storage = Open();
        return AppendAll(storage);
    }

    [Benchmark]
    public long AppendThenRead()
    {
        using var storage = Open();
        AppendAll(storage);
        var cursor = storage.WriteCursor;
        long total = 0;
        int read;
        while ((read = storage.Read(_readBuffer, cursor, out _)) > 0) total += read;
        if (total != _data.Length) throw new InvalidOperationException($"read {total} of {_data.Length} bytes");
        return total;
    }
}

/// <summary>LZ4 alone, in memory, on 64 KiB blocks of the same inputs: the per-core cost without the file system.</summary>
[ShortRunJob]
public class Lz4CodecBenchmarks
{
    private const int Size = 32 << 20;
    private const int BlockSize = 64 * 1024;

    private byte[] _data = [];
    private byte[] _encoded = [];
    private int[] _encodedLengths = [];
    private readonly byte[] _output = new byte[LZ4Codec.MaximumOutputSize(BlockSize)];

    [Params("resp-text", "resp-json", "rdb")]
    public string Data { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _data = SpoolBenchmarkInputs.Create(Data, Size);
        var blocks = Size / BlockSize;
        _encoded = new byte[blocks * LZ4Codec.MaximumOutputSize(BlockSize)];
        _encodedLengths = new int[blocks];
        long total = 0;
        for (var b = 0; b < blocks; b++)
        {
            _encodedLengths[b] = LZ4Codec.Encode(_data.AsSpan(b * BlockSize, BlockSize), _encoded.AsSpan(b * LZ4Codec.MaximumOutputSize(BlockSize)), LZ4Level.L00_FAST);
            total += _encodedLengths[b];
        }
        Console.WriteLine($"// lz4 blocks: {Data}: {Size} -> {total} bytes ({100.0 * total / Size:F1}%)");
    }

    [Benchmark]
    public long Encode()
    {
        long total = 0;
        for (var i = 0; i < _data.Length; i += BlockSize)
            total += LZ4Codec.Encode(_data.AsSpan(i, BlockSize), _output, LZ4Level.L00_FAST);
        return total;
    }

    [Benchmark]
    public long Decode()
    {
        long total = 0;
        var stride = LZ4Codec.MaximumOutputSize(BlockSize);
        for (var b = 0; b < _encodedLengths.Length; b++)
            total += LZ4Codec.Decode(_encoded.AsSpan(b * stride, _encodedLengths[b]), _output.AsSpan(0, BlockSize));
        return total;
    }
}
