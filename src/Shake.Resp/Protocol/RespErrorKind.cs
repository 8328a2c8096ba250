namespace Shake.Resp.Protocol;

/// <summary>The class of an error reply, from its first word.</summary>
public enum RespErrorKind
{
    /// <summary>Not an error.</summary>
    None = 0,
    /// <summary><c>ERR</c>: generic error.</summary>
    Err,
    /// <summary><c>BUSYKEY</c>: RESTORE target key exists (no REPLACE).</summary>
    BusyKey,
    /// <summary><c>MOVED slot host:port</c>: cluster slot lives elsewhere.</summary>
    Moved,
    /// <summary><c>ASK slot host:port</c>: slot is migrating; ask the other node once.</summary>
    Ask,
    /// <summary><c>LOADING</c>: server is loading its dataset.</summary>
    Loading,
    /// <summary><c>NOSCRIPT</c>: EVALSHA of an unknown script.</summary>
    NoScript,
    /// <summary><c>WRONGTYPE</c>: operation against a key of another type.</summary>
    WrongType,
    /// <summary><c>TRYAGAIN</c>: multi-key operation during resharding.</summary>
    TryAgain,
    /// <summary><c>CLUSTERDOWN</c>: cluster is not serving.</summary>
    ClusterDown,
    /// <summary><c>READONLY</c>: write sent to a replica.</summary>
    ReadOnly,
    /// <summary><c>NOAUTH</c>: authentication required.</summary>
    NoAuth,
    /// <summary><c>WRONGPASS</c>: bad credentials.</summary>
    WrongPass,
    /// <summary><c>NOPERM</c>: ACL denies the command or key.</summary>
    NoPerm,
    /// <summary><c>OOM</c>: maxmemory reached.</summary>
    Oom,
    /// <summary><c>BUSY</c>: a script or function is running.</summary>
    Busy,
    /// <summary><c>EXECABORT</c>: transaction discarded.</summary>
    ExecAbort,
    /// <summary>Any other error prefix.</summary>
    Other,
}
