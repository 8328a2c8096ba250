using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Shake.Resp.Protocol;

namespace Shake.Benchmarks;

/// <summary>Parses 1 MB of mixed RESP2/RESP3 replies, as one buffer and as 64 KB pipe-like segments.</summary>
[MemoryDiagnoser]
public class RespReaderBenchmarks
{
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _segmented;
    private List<ReadOnlySequence<byte>> _arguments = [];
    private ReadOnlySequence<byte> _commands;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var text = new StringBuilder();
        while (text.Length < 1024 * 1024)
        {
            switch (random.Next(8))
            {
                case 0: text.Append("+OK\r\n"); break;
                case 1: text.Append(':').Append(random.NextInt64(-1_000_000_000, 1_000_000_000)).Append("\r\n"); break;
                case 2: var n = random.Next(0, 300); text.Append('$').Append(n).Append("\r\n").Append('x', n).Append("\r\n"); break;
                case 3: text.Append("-BUSYKEY Target key name already exists.\r\n"); break;
                case 4: text.Append("*3\r\n$3\r\nfoo\r\n:42\r\n*2\r\n$1\r\na\r\n$-1\r\n"); break;
                case 5: text.Append("%2\r\n+first\r\n,3.14\r\n+second\r\n#t\r\n"); break;
                case 6: text.Append("$-1\r\n_\r\n"); break;
                default: text.Append("-MOVED 3999 127.0.0.1:6381\r\n"); break;
            }
        }
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        _single = new ReadOnlySequence<byte>(bytes);
        _segmented = Chunked(bytes, 64 * 1024);

        var commands = new StringBuilder();
        while (commands.Length < 1024 * 1024)
            commands.Append("*3\r\n$3\r\nSET\r\n$12\r\nkey:00001234\r\n$").Append(64).Append("\r\n").Append('v', 64).Append("\r\n");
        _commands = Chunked(Encoding.ASCII.GetBytes(commands.ToString()), 64 * 1024);
        _arguments = new List<ReadOnlySequence<byte>>(8);
    }

    [Benchmark(Description = "TryReadReply over 1 MB, one segment")]
    public long RepliesSingleSegment() => CountReplies(_single);

    [Benchmark(Description = "TryReadReply over 1 MB, 64 KB segments")]
    public long RepliesSegmented() => CountReplies(_segmented);

    [Benchmark(Description = "TryReadCommand over 1 MB of SET commands, 64 KB segments")]
    public long Commands()
    {
        var reader = new SequenceReader<byte>(_commands);
        long bytes = 0;
        while (RespReader.TryReadCommand(ref reader, _arguments)) bytes += _arguments[2].Length;
        return bytes;
    }

    private static long CountReplies(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        long errors = 0, total = 0;
        while (RespReader.TryReadReply(ref reader, out var reply))
        {
            total++;
            if (reply.ErrorKind == RespErrorKind.Moved) errors++;
        }
        return total + errors;
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

    private static ReadOnlySequence<byte> Chunked(byte[] bytes, int size)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
        var last = first;
        for (var at = size; at < bytes.Length; at += size) last = last.Append(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
