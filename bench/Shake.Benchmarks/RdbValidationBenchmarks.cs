using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Shake.Rdb.Parsing;
using Shake.Rdb.Validation;

namespace Shake.Benchmarks;

/// <summary>
/// The cost of deep validation (<see cref="RdbParserOptions.ValidateValues"/>): the same file parsed raw (what RESTORE
/// needs, checksum verified: values are framed, not walked), with every value validated, and with every element of
/// every value decoded (what a conversion to commands walks), side by side. The goal is validation at no more than
/// 20% of the parse time. Input size and key count are printed in the setup line: divide by the mean for GB/s and
/// entries/s.
/// </summary>
[MemoryDiagnoser]
public class RdbValidationBenchmarks
{
    private byte[] _file = [];

    /// <summary>
    /// small: 1M string keys; large: 30 values of 10 MB; mixed: 200k keys of five types in plain encodings; compact:
    /// 200k listpack hashes, sets, sorted sets, quicklists and intsets.
    /// </summary>
    [Params("small", "large", "mixed", "compact")]
    public string Input { get; set; } = "small";

    [GlobalSetup]
    public void Setup()
    {
        (_file, var keys) = Input switch
        {
            "small" => (RdbBenchmarkInputs.SmallStrings(1_000_000), 1_000_000),
            "large" => (RdbBenchmarkInputs.LargeValues(30, 10 << 20), 30),
            "mixed" => (RdbBenchmarkInputs.Mixed(200_000), 200_000),
            _ => (RdbBenchmarkInputs.Compact(200_000), 200_000),
        };
        Console.WriteLine($"// input {Input}: {_file.Length} bytes, {keys} keys");
        Console.WriteLine($"// cross-core round trip before: {CrossCoreRoundTrip.Measure():F0} ns");
    }

    [GlobalCleanup]
    public void Cleanup() => Console.WriteLine($"// cross-core round trip after: {CrossCoreRoundTrip.Measure():F0} ns");

    [Benchmark(Baseline = true)]
    public Task<long> Parse() => ParseAsync(validate: false);

    [Benchmark]
    public Task<long> ParseValidated() => ParseAsync(validate: true);

    /// <summary>
    /// The whole-file pass (restore's check before the first write, <c>shake rdb stats</c>): the parser's thread frames
    /// values, the machine's spare cores validate them meanwhile.
    /// </summary>
    [Benchmark]
    public async Task<long> ValidateFileOnSpareCores()
    {
        var result = await RdbFileValidator.ValidateAsync(Reader(), new CountingHandler(), workers: null, CancellationToken.None);
        return result.Entries;
    }

    [Benchmark]
    public async Task<long> ParseDecoded()
    {
        using var parser = new RdbParser<DecodingHandler>(new DecodingHandler(), new RdbParserOptions());
        await RdbPipeReader.ParseAsync(Reader(), parser);
        parser.Handler.Decoder.Dispose();
        return parser.Handler.Elements;
    }

    private async Task<long> ParseAsync(bool validate)
    {
        using var parser = new RdbParser<CountingHandler>(new CountingHandler(), new RdbParserOptions { ValidateValues = validate });
        await RdbPipeReader.ParseAsync(Reader(), parser);
        return parser.Handler.Entries;
    }

    // Read as a file is: by a parse (RdbPipeReader.ParseFileAsync), or by the validation pass.
    private PipeReader Reader(int size = RdbPipeReader.FileReadSize) =>
        PipeReader.Create(new MemoryStream(_file, writable: false), new StreamPipeReaderOptions(bufferSize: size, minimumReadSize: size / 4));

    private struct CountingHandler : IRdbHandler
    {
        public long Entries;

        public bool OnEntry(in RdbEntry entry)
        {
            Entries++;
            return true;
        }
    }
}
