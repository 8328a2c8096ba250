using System.Buffers;
using Shake.Resp.Protocol;

namespace Shake.Core.Cluster;

/// <summary>
/// One engine's view of the <see cref="MigrationGuard"/>: which stream commands it looks at (DEL, UNLINK,
/// RESTORE-ASKING) and what is sent instead of them.
/// </summary>
public sealed class MigrationFilter(MigrationGuard guard, int shard)
{
    /// <summary>True for the commands a slot migration produces: DEL, UNLINK, RESTORE-ASKING.</summary>
    public bool Concerns(ReadOnlySpan<byte> name) =>
        (name.Length == 3 && System.Text.Ascii.EqualsIgnoreCase(name, "DEL"u8))
        || (name.Length == 6 && System.Text.Ascii.EqualsIgnoreCase(name, "UNLINK"u8))
        || (name.Length == 14 && System.Text.Ascii.EqualsIgnoreCase(name, "RESTORE-ASKING"u8));

    /// <summary>Held while a decision of this filter is handed to the writer (see <see cref="MigrationGuard"/>).</summary>
    public Lock Gate => guard.Gate;

    /// <summary>True when a migration was recorded recently (only then do other commands need a look).</summary>
    public bool Active => guard.Active;

    /// <summary>True for RESTORE-ASKING, the new owner's half of a migration.</summary>
    public static bool IsMigratedCopy(ReadOnlySpan<byte> name) => name.Length == 14;

    /// <summary>Records <paramref name="key"/> as migrated into this engine's shard and waits for the other engines' earlier writes.</summary>
    public Task RecordAndFenceAsync(ReadOnlySpan<byte> key, Writers.ITargetWriter writer, CancellationToken cancellation)
    {
        guard.Restored(key, shard);
        return guard.FenceAsync(writer, cancellation);
    }

    /// <summary>Records a key this engine wrote from its snapshot: it belongs to this engine's shard from now on.</summary>
    public void Owned(ReadOnlySpan<byte> key) => guard.Restored(key, shard);

    /// <summary>True when a command on <paramref name="key"/> from this engine's stream is older than a migrated copy of it.</summary>
    public bool IsStale(ReadOnlySpan<byte> key) => guard.Active && guard.MovedAway(key, shard);

    /// <summary>
    /// What to send for <paramref name="arguments"/>: null to send nothing (every key's DEL belonged to a migration), an
    /// empty array to send the command unchanged, or the encoded replacement (DEL of the other keys; RESTORE … REPLACE).
    /// </summary>
    public byte[]? Rewrite(List<ReadOnlySequence<byte>> arguments)
    {
        if (arguments.Count < 2) return [];
        var name = arguments[0].FirstSpan;
        if (name.Length == 14)
        {
            guard.Restored(arguments[1].ToArray(), shard);
            // The key may already be on the target (synced from its old owner): the migrated copy replaces it.
            var restore = new List<ReadOnlySequence<byte>>(arguments.Count + 1) { new("RESTORE"u8.ToArray()) };
            restore.AddRange(arguments.Skip(1).Where(a => !System.Text.Ascii.EqualsIgnoreCase(a.ToArray(), "REPLACE"u8)));
            restore.Add(new ReadOnlySequence<byte>("REPLACE"u8.ToArray()));
            return Encode(restore);
        }
        var kept = new List<ReadOnlySequence<byte>>(arguments.Count) { arguments[0] };
        for (var i = 1; i < arguments.Count; i++)
            if (!guard.IsMigrationDelete(arguments[i].ToArray(), shard)) kept.Add(arguments[i]);
        if (kept.Count == arguments.Count) return [];
        return kept.Count == 1 ? null : Encode(kept);
    }

    private static byte[] Encode(List<ReadOnlySequence<byte>> arguments)
    {
        var output = new ArrayBufferWriter<byte>();
        RespCommandWriter.WriteCommand(output, arguments);
        return output.WrittenSpan.ToArray();
    }
}
