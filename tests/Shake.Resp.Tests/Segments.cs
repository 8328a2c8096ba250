using System.Buffers;

namespace Shake.Resp.Tests;

/// <summary>Builds multi-segment sequences so parsing is exercised across segment boundaries.</summary>
internal static class Segments
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>Cuts <paramref name="data"/> at the given offsets (each cut becomes a segment boundary; empty segments allowed).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var bounds = cuts.Append(data.Length).ToArray();
        var first = new Segment(data.AsMemory(0, bounds[0]), 0);
        var last = first;
        var start = bounds[0];
        foreach (var end in bounds.Skip(1))
        {
            last = last.Append(data.AsMemory(start, end - start));
            start = end;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> PerByte(byte[] data) =>
        data.Length == 0 ? ReadOnlySequence<byte>.Empty : Split(data, Enumerable.Range(1, data.Length - 1).ToArray());
}
