using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Shake.Rdb.Encodings;

namespace Shake.Benchmarks.Rdb;

/// <summary>Walking a listpack of 10,000 mixed elements (elements/s = 10,000 / mean seconds).</summary>
[MemoryDiagnoser]
public class ListpackBenchmarks
{
    public const int Elements = 10_000;
    private byte[] _listpack = [];
    private readonly byte[] _scratch = new byte[64];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var body = new List<byte>();
        for (var i = 0; i < Elements; i++)
        {
            byte[] entry = (i % 3) switch
            {
                0 => [(byte)random.Next(128)],                                                    // 7-bit uint
                1 => [0xF3, .. BitConverter.GetBytes(random.Next(int.MinValue, int.MaxValue))],   // 32-bit int
                _ => [(byte)(0x80 | 12), .. "field:000000"u8.ToArray()],                         // 6-bit string
            };
            body.AddRange(entry);
            body.Add((byte)entry.Length);
        }
        _listpack = new byte[6 + body.Count + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(_listpack, (uint)_listpack.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(_listpack.AsSpan(4), Elements);
        body.CopyTo(_listpack, 6);
        _listpack[^1] = 0xFF;
    }

    [Benchmark]
    public long ReadAll()
    {
        var reader = new ListpackReader(_listpack);
        long sum = 0;
        while (reader.TryRead(out var e)) sum += e.IsInteger ? e.Integer : e.Bytes.Length;
        return sum;
    }

    [Benchmark]
    public long ReadAndFormat()
    {
        var reader = new ListpackReader(_listpack);
        long sum = 0;
        while (reader.TryRead(out var e)) sum += e.FormatTo(_scratch);
        return sum;
    }
}
