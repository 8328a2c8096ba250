using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Benchmarks;

/// <summary>
/// One hash of 100k to 3M fields (about 110 bytes each) arriving in 64 KB pieces, one parse per piece as the engine
/// calls the parser: held whole and handed over as one entry (<c>Held</c>), or streamed element by element to a visitor
/// above a 1 MB threshold (<c>Streamed</c>). Time per field (mean / Fields) stays flat when the work is linear.
/// </summary>
[MemoryDiagnoser]
public class RdbBigValueBenchmarks
{
    private byte[] _file = [];

    [Params(100_000, 1_000_000, 3_000_000)]
    public int Fields { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _file = RdbBenchmarkInputs.BigHash(Fields);
        Console.WriteLine($"// {Fields} fields: {_file.Length} bytes");
    }

    [Benchmark(Baseline = true)]
    public long Held()
    {
        using var parser = new RdbParser<Handler>(new Handler());
        Feed(parser);
        return parser.Handler.Entries;
    }

    [Benchmark]
    public long Streamed()
    {
        using var parser = new RdbParser<Handler>(new Handler(), new RdbParserOptions { LargeValueThreshold = 1 << 20 });
        Feed(parser);
        return parser.Handler.Entries + parser.Handler.Fields.Count;
    }

    private void Feed<THandler>(RdbParser<THandler> parser) where THandler : IRdbHandler
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        const int Piece = 64 * 1024;
        for (int at = 0; ; at += Piece)
        {
            if (at < _file.Length)
            {
                pipe.Writer.Write(_file.AsSpan(at, Math.Min(Piece, _file.Length - at)));
                pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
            }
            pipe.Reader.TryRead(out var result);
            var status = parser.Parse(result.Buffer, at + Piece >= _file.Length, out var consumed, out var examined);
            pipe.Reader.AdvanceTo(consumed, examined);
            if (status == RdbParseStatus.Completed) return;
        }
    }

    private sealed class Handler : IRdbHandler
    {
        public long Entries;
        public readonly FieldCounter Fields = new();

        public bool OnEntry(in RdbEntry entry)
        {
            Entries++;
            return true;
        }

        public IRdbValueVisitor? OnLargeEntryStart(in RdbEntry entry) => Fields;
    }

    private sealed class FieldCounter : IRdbValueVisitor
    {
        public long Count;

        public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs) => Count++;
        public void OnString(ReadOnlySpan<byte> value) { }
        public void OnListItem(ReadOnlySpan<byte> item) { }
        public void OnSetMember(ReadOnlySpan<byte> member) { }
        public void OnZSetMember(ReadOnlySpan<byte> member, double score) { }
        public void OnStreamEntry(StreamId id, int fieldCount) { }
        public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) { }
        public void OnStreamMetadata(in StreamMetadata metadata) { }
        public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead) { }
        public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) { }
        public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs) { }
        public void OnStreamConsumerPendingEntry(StreamId id) { }
        public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) { }
    }
}
