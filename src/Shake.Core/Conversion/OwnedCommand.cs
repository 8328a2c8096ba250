using System.Buffers;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Conversion;

/// <summary>
/// A command whose arguments are already encoded as bulk strings in a pooled buffer it owns. The pipeline writes it
/// exactly once; the buffer goes back to the pool then (a command that is never written just leaves it to the GC).
/// </summary>
internal readonly struct OwnedCommand : IRespCommand
{
    private readonly byte[] _arguments;
    private readonly int _length;
    private readonly int _count;

    public OwnedCommand(byte[] arguments, int length, int count)
    {
        _arguments = arguments;
        _length = length;
        _count = count;
    }

    /// <summary>Encoded size of the arguments (without the array header).</summary>
    public int Length => _length;

    public void WriteTo(IBufferWriter<byte> output)
    {
        RespCommandWriter.WriteArrayHeader(output, _count);
        var remaining = _arguments.AsSpan(0, _length);
        while (!remaining.IsEmpty)
        {
            // Ask for moderate spans so a pipe writer never allocates one huge segment for a big batch.
            var span = output.GetSpan(Math.Min(remaining.Length, 16 * 1024));
            var n = Math.Min(span.Length, remaining.Length);
            remaining[..n].CopyTo(span);
            output.Advance(n);
            remaining = remaining[n..];
        }
        ArrayPool<byte>.Shared.Return(_arguments);
    }
}
