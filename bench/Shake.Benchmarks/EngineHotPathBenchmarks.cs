using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Shake.Core.Replication;
using Shake.Core.Writers;
using Shake.Resp.Protocol;

namespace Shake.Benchmarks;

/// <summary>
/// The engine's per-key and per-command work without the network: encoding a RESTORE with its DUMP payload (full sync),
/// and reading + classifying replication stream commands with offset accounting (incremental). Both must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class EngineHotPathBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private readonly List<ReadOnlySequence<byte>> _arguments = new(16);
    private byte[] _key = [];
    private ReadOnlySequence<byte> _rawValue;
    private ReadOnlySequence<byte> _stream;
    private ConfirmedOffset _offsets = new(0);

    [GlobalSetup]
    public void Setup()
    {
        _key = "user:session:0000123456"u8.ToArray();
        var raw = new byte[100];
        new Random(1).NextBytes(raw);
        _rawValue = new ReadOnlySequence<byte>(raw);
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            if (i % 100 == 0) text.Append("*1\r\n$4\r\nPING\r\n");
            else if (i % 50 == 0) text.Append("*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n*1\r\n$4\r\nEXEC\r\n");
            else text.Append($"*3\r\n$3\r\nSET\r\n$8\r\nkey:{i:D4}\r\n$5\r\nvalue\r\n");
        }
        _stream = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>One RESTORE ... ABSTTL REPLACE IDLETIME with a 100-byte value: bytes written per op.</summary>
    [Benchmark]
    public int EncodeRestore()
    {
        _output.ResetWrittenCount();
        new RestoreCommand(_key, 0, _rawValue, 10, 1_900_000_000_000, replace: true, idleSeconds: 5, frequency: -1).WriteTo(_output);
        return _output.WrittenCount;
    }

    /// <summary>1000 replication commands: parse, classify, track SELECT/MULTI and the confirmed offset.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public long ClassifyStream()
    {
        _offsets = new ConfirmedOffset(0);
        var reader = new SequenceReader<byte>(_stream);
        long offset = 0;
        while (true)
        {
            var before = reader.Consumed;
            if (!RespReader.TryReadCommand(ref reader, _arguments)) break;
            offset += reader.Consumed - before;
            var kind = StreamCommandClassifier.Classify(_arguments[0], _arguments.Count > 1 ? _arguments[1] : default);
            if (kind is StreamCommandKind.Ping or StreamCommandKind.ReplConf) _offsets.Skipped(offset);
            else
            {
                _offsets.Sent(offset);
                _offsets.Confirmed(offset);
            }
        }
        return offset;
    }

    /// <summary>The same 1000 commands as the forwarder reads them when each lies in one segment: scanned and classified on the span.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public long ClassifyStreamSpans()
    {
        _offsets = new ConfirmedOffset(0);
        var span = _stream.FirstSpan;
        long offset = 0;
        while (RespCommandFrame.TryScan(span, out var frame))
        {
            var command = span[..frame.Length];
            offset += frame.Length;
            var kind = StreamCommandClassifier.Classify(frame.Name(command), frame.FirstArgument(command));
            if (kind is StreamCommandKind.Ping or StreamCommandKind.ReplConf) _offsets.Skipped(offset);
            else
            {
                _offsets.Sent(offset);
                _offsets.Confirmed(offset);
            }
            span = span[frame.Length..];
        }
        return offset;
    }
}
