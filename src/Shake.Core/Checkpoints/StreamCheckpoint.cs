using System.Buffers;
using System.Diagnostics;
using System.Text;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Checkpoints;

/// <summary>
/// One engine's checkpoint while it runs, shared by the engine and its writer: the key, what the checkpoint says
/// besides the offset, and the stream position the writer records. Until <see cref="Start"/> the writer writes no
/// checkpoint (the full sync); afterwards the standalone writer puts the update in the same <c>MULTI</c>/<c>EXEC</c> as
/// the commands it covers, the cluster writer writes it on its own (<see cref="CheckpointOptions.ClusterInterval"/>).
/// </summary>
public sealed class StreamCheckpoint
{
    private long _lastWritten;

    /// <summary>A checkpoint kept under <paramref name="key"/>.</summary>
    public StreamCheckpoint(string key, CheckpointOptions options)
    {
        Key = key;
        KeyBytes = Encoding.UTF8.GetBytes(key);
        Options = options;
        Writer = $"shake {typeof(StreamCheckpoint).Assembly.GetName().Version?.ToString(3)} on {Environment.MachineName} pid {Environment.ProcessId}";
    }

    /// <summary>The key in the target.</summary>
    public string Key { get; }

    /// <summary>The key as bytes.</summary>
    public byte[] KeyBytes { get; }

    /// <summary>The options it was made from.</summary>
    public CheckpointOptions Options { get; }

    /// <summary>Who writes it (host and process), recorded in the hash.</summary>
    public string Writer { get; }

    /// <summary>Where the stream stands; null until the stream starts.</summary>
    public IStreamPosition? Position { get; private set; }

    /// <summary>True once the stream has started: the writer then keeps the checkpoint.</summary>
    public bool Active => Position is not null;

    /// <summary>The stream begins: from now on the writer records <paramref name="position"/>.</summary>
    public void Start(IStreamPosition position)
    {
        Position = position;
        MarkWritten();
    }

    /// <summary>Stops recording (the stream ended).</summary>
    public void Stop() => Position = null;

    /// <summary>Notes that a checkpoint was written now.</summary>
    public void MarkWritten() => Volatile.Write(ref _lastWritten, Stopwatch.GetTimestamp());

    /// <summary>True when nothing was written for <paramref name="interval"/>.</summary>
    public bool IsDue(TimeSpan interval) => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastWritten)) >= interval;

    /// <summary>The update written with each group of commands: <c>HSET key offset N db D time_ms T</c>.</summary>
    public UpdateCommand Update(long offset, int db) => new(KeyBytes, offset, db, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>The encoded update of a checkpoint (no allocation).</summary>
    public readonly struct UpdateCommand(byte[] key, long offset, int db, long timeMs) : IRespCommand
    {
        /// <inheritdoc />
        public void WriteTo(IBufferWriter<byte> output)
        {
            RespCommandWriter.WriteArrayHeader(output, 8);
            RespCommandWriter.WriteBulk(output, "HSET"u8);
            RespCommandWriter.WriteBulk(output, key);
            RespCommandWriter.WriteBulk(output, "offset"u8);
            RespCommandWriter.WriteBulk(output, offset);
            RespCommandWriter.WriteBulk(output, "db"u8);
            RespCommandWriter.WriteBulk(output, db);
            RespCommandWriter.WriteBulk(output, "time_ms"u8);
            RespCommandWriter.WriteBulk(output, timeMs);
        }
    }
}
