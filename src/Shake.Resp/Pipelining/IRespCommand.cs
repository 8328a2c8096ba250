using System.Buffers;

namespace Shake.Resp.Pipelining;

/// <summary>
/// A command that encodes itself into the output buffer. Implement it on a struct so the pipelined client's
/// generic enqueue path neither boxes nor allocates.
/// </summary>
public interface IRespCommand
{
    /// <summary>Writes the whole command (array header and every argument) into <paramref name="output"/>.</summary>
    void WriteTo(IBufferWriter<byte> output);
}
