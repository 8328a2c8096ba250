using Shake.Core.Writers;

namespace Shake.Core.Checkpoints;

/// <summary>
/// The cold-path reads and writes of one engine's checkpoint in its target: read at start, marked while a full sync
/// writes, written whole when the stream begins. The key is also listed in the index hash named by the prefix itself
/// (field: the key, value: the source), which the opposite-direction guard reads instead of scanning a keyspace.
/// </summary>
public sealed class CheckpointStore(ITargetWriter writer, StreamCheckpoint checkpoint)
{
    /// <summary>The checkpoint as the target holds it; null when there is none (or it is not a checkpoint).</summary>
    public async Task<Checkpoint?> ReadAsync(CancellationToken cancellation)
    {
        var reply = await writer.ExecuteForKeyAsync(["HGETALL", checkpoint.Key], cancellation);
        if (reply.IsError) throw new IOException($"{writer.Endpoint} refused HGETALL {checkpoint.Key}: {reply.AsString()}");
        return Checkpoint.Parse(reply);
    }

    /// <summary>A full sync begins: whatever the checkpoint said no longer holds until it ends.</summary>
    public Task MarkFullSyncAsync(string source, string sourceRunId, string replicationId, CancellationToken cancellation) =>
        WriteAsync(new Checkpoint(CheckpointState.FullSync, replicationId, -1, 0, source, sourceRunId, Now, checkpoint.Writer), cancellation);

    /// <summary>The stream begins at <paramref name="offset"/> (after a full sync, or continued): the whole hash is written.</summary>
    public Task WriteStreamStartAsync(string source, string sourceRunId, string replicationId, long offset, int db, CancellationToken cancellation) =>
        WriteAsync(new Checkpoint(CheckpointState.Stream, replicationId, offset, db, source, sourceRunId, Now, checkpoint.Writer), cancellation);

    /// <summary>Keys on every node of the target, not counting this engine's checkpoint key and the index.</summary>
    public Task<long> CountKeysAsync(CancellationToken cancellation) => TargetKeys.CountAsync(writer, [checkpoint.Key, checkpoint.Options.Prefix], cancellation);

    private async Task WriteAsync(Checkpoint value, CancellationToken cancellation)
    {
        var reply = await writer.ExecuteForKeyAsync(value.ToHset(checkpoint.Key), cancellation);
        if (reply.IsError) throw new IOException($"{writer.Endpoint} refused the checkpoint {checkpoint.Key}: {reply.AsString()}");
        reply = await writer.ExecuteForKeyAsync(["HSET", checkpoint.Options.Prefix, checkpoint.Key, value.Source], cancellation);
        if (reply.IsError) throw new IOException($"{writer.Endpoint} refused the checkpoint index {checkpoint.Options.Prefix}: {reply.AsString()}");
        checkpoint.MarkWritten();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
