using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Shake.Resp.Protocol;

namespace Shake.Benchmarks;

/// <summary>Encodes <c>RESTORE key ttl payload ABSTTL REPLACE</c> commands into a reused buffer and into a <see cref="PipeWriter"/>.</summary>
[MemoryDiagnoser]
public class RespCommandWriterBenchmarks
{
    private const int CommandsPerOp = 1000;

    private readonly byte[] _key = "user:profile:000012345"u8.ToArray();
    private byte[] _payload = [];
    private ReadOnlySequence<byte> _segmentedPayload;
    private readonly ArrayBufferWriter<byte> _buffer = new(4 * 1024 * 1024);
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));

    [Params(100, 4096)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = new byte[PayloadSize];
        new Random(3).NextBytes(_payload);
        var half = PayloadSize / 2;
        var first = new Segment(_payload.AsMemory(0, half), 0);
        var second = first.Append(_payload.AsMemory(half));
        _segmentedPayload = new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    [Benchmark(Description = "RESTORE x1000 into a reused buffer", OperationsPerInvoke = CommandsPerOp)]
    public int IntoBuffer()
    {
        _buffer.ResetWrittenCount();
        for (var i = 0; i < CommandsPerOp; i++) WriteRestore(_buffer, _payload, 1_900_000_000_000 + i);
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "RESTORE x1000 with a 2-segment payload", OperationsPerInvoke = CommandsPerOp)]
    public int SegmentedPayload()
    {
        _buffer.ResetWrittenCount();
        for (var i = 0; i < CommandsPerOp; i++)
        {
            RespCommandWriter.WriteArrayHeader(_buffer, 6);
            RespCommandWriter.WriteBulk(_buffer, "RESTORE"u8);
            RespCommandWriter.WriteBulk(_buffer, _key);
            RespCommandWriter.WriteBulk(_buffer, 1_900_000_000_000 + i);
            RespCommandWriter.WriteBulk(_buffer, _segmentedPayload);
            RespCommandWriter.WriteBulk(_buffer, "ABSTTL"u8);
            RespCommandWriter.WriteBulk(_buffer, "REPLACE"u8);
        }
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "RESTORE x1000 into a PipeWriter, flushed and drained every 16", OperationsPerInvoke = CommandsPerOp)]
    public long IntoPipe()
    {
        long length = 0;
        for (var i = 0; i < CommandsPerOp; i++)
        {
            WriteRestore(_pipe.Writer, _payload, 1_900_000_000_000 + i);
            // Batches as the pipelined client does, so buffers go back to the pool like on a live socket.
            if (i % 16 == 15) length += FlushAndDrain();
        }
        return length + FlushAndDrain();
    }

    private long FlushAndDrain()
    {
        _ = _pipe.Writer.FlushAsync().GetAwaiter().GetResult();
        _pipe.Reader.TryRead(out var result);
        var length = result.Buffer.Length;
        _pipe.Reader.AdvanceTo(result.Buffer.End);
        return length;
    }

    private void WriteRestore(IBufferWriter<byte> output, ReadOnlySpan<byte> payload, long expireAt)
    {
        RespCommandWriter.WriteArrayHeader(output, 6);
        RespCommandWriter.WriteBulk(output, "RESTORE"u8);
        RespCommandWriter.WriteBulk(output, _key);
        RespCommandWriter.WriteBulk(output, expireAt);
        RespCommandWriter.WriteBulk(output, payload);
        RespCommandWriter.WriteBulk(output, "ABSTTL"u8);
        RespCommandWriter.WriteBulk(output, "REPLACE"u8);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long index)
        {
            Memory = memory;
            RunningIndex = index;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
