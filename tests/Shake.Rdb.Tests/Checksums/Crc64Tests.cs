using System.Buffers;
using Shake.Rdb.Checksums;

namespace Shake.Rdb.Tests.Checksums;

public class Crc64Tests
{
    /// <summary>Bit-at-a-time reference straight from the definition (reflected Jones polynomial).</summary>
    private static ulong Naive(ulong crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95AC9329AC4BC9B5UL : crc >> 1;
        }
        return crc;
    }

    [Fact]
    public void Known_vector_matches_redis()
    {
        Assert.Equal(0xe9c6d914c4b8d9caUL, Crc64.Compute("123456789"u8));
        Assert.Equal(0UL, Crc64.Compute(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Every_slicing_table_entry_matches_the_bitwise_reference()
    {
        // An 8-byte message with one non-zero byte b at position i reduces to exactly one table entry, (7 - i) * 256 + b,
        // so this reaches all 2048 compiled-in constants.
        var message = new byte[8];
        for (var position = 0; position < 8; position++)
            for (var value = 1; value < 256; value++)
            {
                Array.Clear(message);
                message[position] = (byte)value;
                Assert.Equal(Naive(0, message), Crc64.Compute(message));
            }
    }

    [Fact]
    public void Matches_bitwise_reference_for_many_lengths_and_alignments()
    {
        var random = new Random(12345);
        var buffer = new byte[4096 + 16];
        random.NextBytes(buffer);
        for (var length = 0; length < 300; length++)
            for (var start = 0; start < 9; start++)
            {
                var span = buffer.AsSpan(start, length);
                Assert.Equal(Naive(0, span), Crc64.Compute(span));
            }
        Assert.Equal(Naive(0, buffer), Crc64.Compute(buffer));
    }

    [Fact]
    public void Matches_bitwise_reference_on_long_inputs_with_odd_tails()
    {
        // Long inputs go through the carry-less-multiply folding (where the CPU has it); tails through the tables.
        var random = new Random(99);
        foreach (var length in new[] { 127, 128, 129, 191, 192, 255, 256, 1000, 4096 + 63, 65536 + 17, 300_001 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            var seed = (ulong)random.NextInt64();
            Assert.Equal(Naive(seed, data), Crc64.Update(seed, data));
        }
    }

    [Fact]
    public void Running_update_equals_one_shot()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var crc = 0UL;
        for (var i = 0; i < data.Length; i += 37)
            crc = Crc64.Update(crc, data.AsSpan(i, Math.Min(37, data.Length - i)));
        Assert.Equal(Crc64.Compute(data), crc);
    }

    [Fact]
    public void Sequence_overload_walks_all_segments()
    {
        var data = new byte[777];
        new Random(9).NextBytes(data);
        var first = new Segment(data.AsMemory(0, 100));
        var last = first.Append(data.AsMemory(100, 3)).Append(data.AsMemory(103, 600)).Append(data.AsMemory(703));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.Equal(Crc64.Compute(data), Crc64.Update(0, sequence));
        Assert.Equal(Crc64.Update(42, data), Crc64.Update(42, new ReadOnlySequence<byte>(data)));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
