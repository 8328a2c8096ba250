using System.Buffers;
using System.Text;

namespace Shake.Core.Tests.Commands;

internal static class Args
{
    public static List<ReadOnlySequence<byte>> Of(params string[] words) =>
        words.Select(w => new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(w))).ToList();

    /// <summary>Each argument split into one-byte segments, as a pipe could deliver it.</summary>
    public static List<ReadOnlySequence<byte>> Fragmented(params string[] words) =>
        words.Select(w => Segments.Split(Encoding.UTF8.GetBytes(w))).ToList();
}

internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long index)
    {
        Memory = memory;
        RunningIndex = index;
    }

    public static ReadOnlySequence<byte> Split(byte[] data)
    {
        if (data.Length < 2) return new ReadOnlySequence<byte>(data);
        var first = new Segments(data.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < data.Length; i++)
        {
            var next = new Segments(data.AsMemory(i, 1), i);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }
}
