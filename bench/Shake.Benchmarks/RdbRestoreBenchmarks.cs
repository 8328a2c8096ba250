using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Shake.Rdb.Dump;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Benchmarks;

/// <summary>
/// The RESTORE path without the network: parse 300k small keys (the size of the file the rdb-cli comparison used)
/// and build every key's DUMP payload (type byte, value, version, CRC64) into a reused buffer.
/// </summary>
[MemoryDiagnoser]
public class RdbRestoreBenchmarks
{
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup() => _file = RdbBenchmarkInputs.SmallStrings(300_000);

    [Benchmark]
    public async Task<long> ParseAndBuildPayloads()
    {
        var reader = PipeReader.Create(new MemoryStream(_file, writable: false), new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024));
        var handler = new PayloadHandler(new ArrayBufferWriter<byte>(1 << 20));
        using var parser = new RdbParser<PayloadHandler>(handler);
        await RdbPipeReader.ParseAsync(reader, parser, afterBatch: _ => { parser.Handler.Output.ResetWrittenCount(); return ValueTask.CompletedTask; });
        return parser.Handler.Bytes;
    }

    private struct PayloadHandler(ArrayBufferWriter<byte> output) : IRdbHandler
    {
        public readonly ArrayBufferWriter<byte> Output = output;
        public long Bytes;

        public bool OnEntry(in RdbEntry entry)
        {
            int before = Output.WrittenCount;
            DumpPayload.WriteTo(Output, entry.Type, entry.RawValue, (ushort)entry.RdbVersion);
            Bytes += Output.WrittenCount - before + entry.Key.Length;
            return true;
        }
    }
}
