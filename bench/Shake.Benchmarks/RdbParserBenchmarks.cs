using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Benchmarks;

/// <summary>
/// Parse throughput of whole RDB files fed through a <see cref="PipeReader"/> (as from a socket or file):
/// raw entries (what RESTORE needs), with and without the file checksum, and full logical decoding.
/// Divide the input size / entry count by the mean time for MB/s and entries/s.
/// </summary>
[MemoryDiagnoser]
public class RdbParserBenchmarks
{
    private byte[] _file = [];

    /// <summary>small: 1M string keys; large: 100 values of 10 MB; mixed: 200k keys of five types.</summary>
    [Params("small", "large", "mixed")]
    public string Input { get; set; } = "small";

    [GlobalSetup]
    public void Setup()
    {
        _file = Input switch
        {
            "small" => RdbBenchmarkInputs.SmallStrings(1_000_000),
            "large" => RdbBenchmarkInputs.LargeValues(100, 10 << 20),
            _ => RdbBenchmarkInputs.Mixed(200_000),
        };
        Console.WriteLine($"// input {Input}: {_file.Length} bytes");
    }

    [Benchmark(Baseline = true)]
    public Task<long> Raw() => ParseAsync(verifyChecksum: true);

    [Benchmark]
    public Task<long> RawNoChecksum() => ParseAsync(verifyChecksum: false);

    [Benchmark]
    public async Task<long> Logical()
    {
        using var parser = new RdbParser<DecodingHandler>(new DecodingHandler(), new RdbParserOptions { VerifyChecksum = true });
        await RdbPipeReader.ParseAsync(Reader(), parser);
        parser.Handler.Decoder.Dispose();
        return parser.Handler.Elements;
    }

    private async Task<long> ParseAsync(bool verifyChecksum)
    {
        using var parser = new RdbParser<CountingHandler>(new CountingHandler(), new RdbParserOptions { VerifyChecksum = verifyChecksum });
        await RdbPipeReader.ParseAsync(Reader(), parser);
        return parser.Handler.Entries;
    }

    private PipeReader Reader() =>
        PipeReader.Create(new MemoryStream(_file, writable: false), new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024));

    private struct CountingHandler : IRdbHandler
    {
        public long Entries;
        public long Bytes;

        public bool OnEntry(in RdbEntry entry)
        {
            Entries++;
            Bytes += entry.Key.Length + entry.RawValue.Length;
            return true;
        }
    }
}
