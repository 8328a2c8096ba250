using Shake.Core.Configuration;
namespace Shake.Core.Writers;

/// <summary>How a <see cref="TargetWriter"/> applies data to the target.</summary>
public sealed record TargetWriterOptions
{
    /// <summary>What to do with keys that already exist on the target.</summary>
    public RestoreBehavior Behavior { get; init; } = RestoreBehavior.Panic;

    /// <summary>Which commands entries are written as (<see cref="EntryFormChooser"/>).</summary>
    public RestoreForm Form { get; init; } = RestoreForm.Auto;

    /// <summary>Most requests in flight (<c>pipeline_count_limit</c>).</summary>
    public int PipelineLimit { get; init; } = 1024;

    /// <summary>RDB version the target accepts in RESTORE payloads; null: derived from the target's INFO server.</summary>
    public int? TargetRdbVersion { get; init; }

    /// <summary>Largest RESTORE payload (<c>target_redis_proto_max_bulk_len</c>); null: the target's <c>proto-max-bulk-len</c>.</summary>
    public long? ProtoMaxBulkLength { get; init; }

    /// <summary>Turns entries RESTORE cannot serve into plain commands; null reports such keys as failed.</summary>
    public IEntryConverter? Converter { get; init; }

    /// <summary>
    /// The engine's checkpoint in the target (<c>[advanced] checkpoint_key</c>); null keeps none. Once it is started the
    /// standalone writer applies stream commands in transactions that also update it; the cluster writer updates it on its own.
    /// </summary>
    public Checkpoints.StreamCheckpoint? Checkpoint { get; init; }
}
