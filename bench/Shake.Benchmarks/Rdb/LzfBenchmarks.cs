using System.Text;
using BenchmarkDotNet.Attributes;
using Shake.Rdb.Compression;

namespace Shake.Benchmarks.Rdb;

/// <summary>LZF on 1 MiB of text-like data (MB/s of uncompressed bytes = 1 / mean seconds).</summary>
[MemoryDiagnoser]
public class LzfBenchmarks
{
    private byte[] _plain = [];
    private byte[] _compressed = [];
    private byte[] _output = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        var words = new[] { "user:", "session ", "token=", "1234567890 ", "redis ", "value ", "{tag}", "\"json\":" };
        var sb = new StringBuilder();
        while (sb.Length < 1 << 20) { sb.Append(words[random.Next(words.Length)]); if (random.Next(8) == 0) sb.Append(random.Next()); }
        _plain = Encoding.ASCII.GetBytes(sb.ToString(0, 1 << 20));
        var buffer = new byte[_plain.Length];
        var n = Lzf.Compress(_plain, buffer);
        _compressed = buffer[..n];
        _output = new byte[_plain.Length];
    }

    [Benchmark]
    public int Decompress() => Lzf.Decompress(_compressed, _output);

    /// <summary>A plain bounds-checked byte loop, as a baseline for the chunked copies in <see cref="Lzf.Decompress"/>.</summary>
    [Benchmark(Baseline = true)]
    public int DecompressByteLoop()
    {
        ReadOnlySpan<byte> input = _compressed;
        Span<byte> output = _output;
        int ip = 0, op = 0;
        while (ip < input.Length)
        {
            int control = input[ip++];
            if (control < 32)
            {
                for (var i = 0; i <= control; i++) output[op++] = input[ip++];
                continue;
            }
            var length = control >> 5;
            if (length == 7) length += input[ip++];
            var from = op - (((control & 0x1F) << 8) | input[ip++]) - 1;
            for (var i = 0; i < length + 2; i++) output[op++] = output[from + i];
        }
        return op;
    }

    [Benchmark]
    public int Compress() => Lzf.Compress(_plain, _output);
}
