using System.Buffers;
using System.IO.Pipelines;

namespace Shake.Host.Commands.Rdb;

/// <summary>
/// Output held back until the values it was made from are known to be sound: a handler writes into
/// <see cref="Buffer"/>, and each <see cref="ReleaseAsync"/> writes out what was staged before the previous call (the
/// validation pass vouches for a batch of the file one call later) and flushes it. What a failed batch made is never
/// released.
/// </summary>
internal sealed class StagedOutput(PipeWriter output) : IBufferWriter<byte>
{
    // What the handler writes now, and what it wrote before the previous call.
    private ArrayBufferWriter<byte> _current = new(64 * 1024), _previous = new(64 * 1024);

    /// <summary>Where the handler writes.</summary>
    public IBufferWriter<byte> Buffer => this;

    /// <summary>Writes out what was staged before the previous call, then flushes (the reader's backpressure).</summary>
    public async ValueTask ReleaseAsync(CancellationToken cancellation)
    {
        output.Write(_previous.WrittenSpan);
        _previous.ResetWrittenCount();
        (_previous, _current) = (_current, _previous);
        await output.FlushAsync(cancellation);
    }

    /// <inheritdoc/>
    public void Advance(int count) => _current.Advance(count);

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => _current.GetMemory(sizeHint);

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => _current.GetSpan(sizeHint);
}
