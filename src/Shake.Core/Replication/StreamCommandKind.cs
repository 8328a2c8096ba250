namespace Shake.Core.Replication;

/// <summary>What the engine does with one command of the source's replication stream.</summary>
public enum StreamCommandKind
{
    /// <summary>A data command: forwarded to the target as the source sent it.</summary>
    Forward,

    /// <summary><c>PING</c>: the source's heartbeat; counted in the offset, not forwarded.</summary>
    Ping,

    /// <summary><c>REPLCONF GETACK</c>: the source asks for an acknowledgement now; not forwarded.</summary>
    GetAck,

    /// <summary>Any other <c>REPLCONF</c>: replication plumbing; not forwarded.</summary>
    ReplConf,

    /// <summary><c>SELECT db</c>: tracked; the writer selects the mapped database on the target when a command needs it.</summary>
    Select,

    /// <summary><c>MULTI</c>: opens a transaction block that is forwarded as a block.</summary>
    Multi,

    /// <summary><c>EXEC</c>: closes a transaction block.</summary>
    Exec,

    /// <summary><c>PUBLISH __sentinel__:hello ...</c>: a source sentinel's announcement; counted in the offset, not forwarded.</summary>
    SentinelHello,
}
