using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Shake.Core.Configuration;
using Shake.Core.Conversion;
using Shake.Core.Writers;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Resp.Pipelining;

namespace Shake.Benchmarks;

/// <summary>
/// Conversion of one collection of 100,000 elements (20-byte members) into batched commands, each encoded into a
/// reused buffer as the pipelined client would: elements per second and allocations per entry (not per element).
/// </summary>
[MemoryDiagnoser]
public class ConversionBenchmarks
{
    private const int Elements = 100_000;
    private byte[] _list = [];
    private byte[] _hash = [];
    private PlainCommandConverter _converter = null!;
    private readonly EncodingSink _sink = new();

    [GlobalSetup]
    public void Setup()
    {
        _list = PlainCollection(Elements, pairs: false);
        _hash = PlainCollection(Elements, pairs: true);
        _converter = new PlainCommandConverter(new ConversionOptions(), NullLogger.Instance);
    }

    [GlobalCleanup]
    public void Cleanup() => _converter.Dispose();

    [Benchmark]
    public long List() => Convert(RdbValueType.List, RdbLogicalType.List, _list);

    [Benchmark]
    public long Hash() => Convert(RdbValueType.Hash, RdbLogicalType.Hash, _hash);

    private long Convert(byte type, RdbLogicalType logical, byte[] raw)
    {
        var entry = new RdbEntry(0, "bench:key"u8, type, logical, new ReadOnlySequence<byte>(raw), -1, -1, -1, 12, RdbMagicKind.Redis, 0, default);
        _sink.Bytes = 0;
        _converter.Convert(entry, _sink);
        return _sink.Bytes;
    }

    /// <summary>The plain (non-compact) encoding: a 32-bit count, then length-prefixed strings.</summary>
    private static byte[] PlainCollection(int count, bool pairs)
    {
        var output = new List<byte> { 0x80 };
        output.AddRange(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(count)));
        for (var i = 0; i < count * (pairs ? 2 : 1); i++)
        {
            var text = $"element-{i:D12}";
            output.Add((byte)text.Length);
            output.AddRange(System.Text.Encoding.ASCII.GetBytes(text));
        }
        return [.. output];
    }

    private sealed class EncodingSink : IEntryCommandSink
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(1 << 21);
        public long Bytes;
        public TargetInfo Info { get; } = new("redis", "7.0.15", 10, 16, 512L << 20, false);
        public long ProtoMaxBulkLength => 512L << 20;
        public RestoreBehavior Behavior => RestoreBehavior.Rewrite;
        public void Write<TCommand>(TCommand command) where TCommand : IRespCommand => Encode(command);
        public void WriteFinal<TCommand>(TCommand command) where TCommand : IRespCommand => Encode(command);

        private void Encode<TCommand>(TCommand command) where TCommand : IRespCommand
        {
            _buffer.ResetWrittenCount();
            command.WriteTo(_buffer);
            Bytes += _buffer.WrittenCount;
        }
    }
}
