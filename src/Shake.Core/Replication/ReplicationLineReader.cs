using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Shake.Core.Replication;

/// <summary>
/// Reads the line-shaped parts of the replication protocol straight from the source pipe: handshake replies,
/// the PSYNC answer and the RDB transfer header, skipping the bare newlines a master sends as keep-alives.
/// </summary>
internal static class ReplicationLineReader
{
    private const int MaxLine = 64 * 1024;

    /// <summary>
    /// Reads one CRLF-terminated line, skipping leading keep-alive newlines; returns it without CRLF. Fails when nothing
    /// at all (not even a keep-alive) arrives for <paramref name="idleTimeout"/>.
    /// </summary>
    public static async ValueTask<string> ReadLineAsync(PipeReader input, string endpoint, string waitingFor, Action? onKeepAlive, TimeSpan idleTimeout, CancellationToken cancellation)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        while (true)
        {
            idle.CancelAfter(idleTimeout);
            ReadResult result;
            try
            {
                result = await input.ReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"{endpoint} sent nothing for {idleTimeout.TotalSeconds:F0} s while Shake waited for {waitingFor}");
            }
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            var keepAlives = reader.AdvancePast((byte)'\n');
            if (keepAlives > 0) onKeepAlive?.Invoke();
            if (reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            {
                var text = Encoding.UTF8.GetString(line);
                input.AdvanceTo(reader.Position);
                return text;
            }
            if (reader.Remaining > MaxLine)
                throw new InvalidDataException($"{endpoint} sent a line longer than {MaxLine} bytes while Shake waited for {waitingFor}");
            input.AdvanceTo(reader.Position, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
                throw new IOException($"{endpoint} closed the connection while Shake waited for {waitingFor}");
        }
    }
}
