using System.Buffers;
using System.IO.Pipelines;

namespace Shake.Host.Commands.Rdb;

/// <summary>
/// Output held back until the values it was made from are known to be sound: a handler writes into
/// <see cref="Buffer"/>, and <see cref="ReleaseAsync"/>, called once a batch of the file was validated, copies what was
/// written to the real output and flushes it. What a failed batch made is never released.
/// </summary>
internal sealed class StagedOutput(PipeWriter output)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    /// <summary>Where the handler writes.</summary>
    public IBufferWriter<byte> Buffer => _buffer;

    /// <summary>Writes out what was staged since the last release, then flushes (the reader's backpressure).</summary>
    public async ValueTask ReleaseAsync(CancellationToken cancellation)
    {
        output.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        await output.FlushAsync(cancellation);
    }
}
