using System.Globalization;
using Shake.Resp.Protocol;

namespace Shake.Core.Checkpoints;

/// <summary>What a checkpoint says: a stream position applied on the target, or a full sync in progress.</summary>
public enum CheckpointState
{
    /// <summary>Every command of the source up to <see cref="Checkpoint.Offset"/> is applied; a restart can continue.</summary>
    Stream,

    /// <summary>A full sync was writing when this was last written: nothing can be continued.</summary>
    FullSync,
}

/// <summary>
/// The hash kept in the target for one source (or source shard): fields <c>state</c>, <c>replid</c>, <c>offset</c>,
/// <c>db</c>, <c>source</c>, <c>source_run_id</c>, <c>time_ms</c> (the last write, a heartbeat) and <c>writer</c>.
/// </summary>
public sealed record Checkpoint(CheckpointState State, string ReplicationId, long Offset, int Database, string Source, string SourceRunId, long TimeMs, string Writer)
{
    /// <summary>The hash's field names.</summary>
    public static class Fields
    {
        /// <summary><c>stream</c> or <c>fullsync</c>.</summary>
        public const string State = "state";
        /// <summary>The source's replication id the offset belongs to.</summary>
        public const string ReplicationId = "replid";
        /// <summary>Replication offset applied on the target.</summary>
        public const string Offset = "offset";
        /// <summary>Source database selected at that offset.</summary>
        public const string Database = "db";
        /// <summary>The source's address.</summary>
        public const string Source = "source";
        /// <summary>The source's <c>run_id</c>.</summary>
        public const string SourceRunId = "source_run_id";
        /// <summary>Unix milliseconds of the last write.</summary>
        public const string TimeMs = "time_ms";
        /// <summary>Which Shake process wrote it.</summary>
        public const string Writer = "writer";
    }

    /// <summary>The <c>HSET</c> that writes the whole checkpoint to <paramref name="key"/>.</summary>
    public string[] ToHset(string key) =>
    [
        "HSET", key,
        Fields.State, State == CheckpointState.Stream ? "stream" : "fullsync",
        Fields.ReplicationId, ReplicationId,
        Fields.Offset, Offset.ToString(CultureInfo.InvariantCulture),
        Fields.Database, Database.ToString(CultureInfo.InvariantCulture),
        Fields.Source, Source,
        Fields.SourceRunId, SourceRunId,
        Fields.TimeMs, TimeMs.ToString(CultureInfo.InvariantCulture),
        Fields.Writer, Writer,
    ];

    /// <summary>Reads an <c>HGETALL</c> reply; null when it is empty or not a checkpoint.</summary>
    public static Checkpoint? Parse(RespValue reply)
    {
        if (reply.IsError || reply.IsNull || reply.Items.Count < 2) return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var items = reply.Items;
        // RESP2 answers a flat array, RESP3 a map (also read as pairs).
        for (var i = 0; i + 1 < items.Count; i += 2) fields[items[i].AsString() ?? ""] = items[i + 1].AsString() ?? "";
        var state = fields.GetValueOrDefault(Fields.State) switch
        {
            "stream" => CheckpointState.Stream,
            "fullsync" => CheckpointState.FullSync,
            _ => (CheckpointState?)null,
        };
        if (state is null) return null;
        long.TryParse(fields.GetValueOrDefault(Fields.Offset), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset);
        int.TryParse(fields.GetValueOrDefault(Fields.Database), NumberStyles.None, CultureInfo.InvariantCulture, out var db);
        long.TryParse(fields.GetValueOrDefault(Fields.TimeMs), NumberStyles.None, CultureInfo.InvariantCulture, out var time);
        return new Checkpoint(state.Value, fields.GetValueOrDefault(Fields.ReplicationId, ""), offset, db,
            fields.GetValueOrDefault(Fields.Source, ""), fields.GetValueOrDefault(Fields.SourceRunId, ""), time, fields.GetValueOrDefault(Fields.Writer, ""));
    }

    /// <summary>True when this can be continued with <c>PSYNC replid offset+1</c>.</summary>
    public bool CanContinue => State == CheckpointState.Stream && ReplicationId.Length == 40 && Offset > 0;
}
