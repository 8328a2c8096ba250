namespace Shake.Core.Checkpoints;

/// <summary>Where the consumer of the replication stream stands: what a checkpoint written now would record.</summary>
public interface IStreamPosition
{
    /// <summary>Replication offset of every byte handed to the writer or skipped so far.</summary>
    long Offset { get; }

    /// <summary>Source database selected at <see cref="Offset"/>.</summary>
    int Database { get; }

    /// <summary>True inside a source MULTI…EXEC block: no checkpoint may be taken before its EXEC.</summary>
    bool InTransaction { get; }
}
