namespace Shake.Core.Engine;

/// <summary>Where the engine is in its run.</summary>
public enum EnginePhase
{
    /// <summary>Connecting and checking source and target.</summary>
    Starting,

    /// <summary>Replication handshake with the source (PING, AUTH, REPLCONF, PSYNC), including retries.</summary>
    Handshake,

    /// <summary>Waiting for the source to produce its snapshot (keep-alive newlines).</summary>
    WaitingForRdb,

    /// <summary>Receiving the RDB and applying its keys (full sync, or restore mode reading a file).</summary>
    FullSync,

    /// <summary>Forwarding the live command stream.</summary>
    Incremental,

    /// <summary>Stopping: flushing pipelines, sending the final acknowledgement.</summary>
    Stopping,

    /// <summary>Finished.</summary>
    Stopped,
}
