namespace Shake.Core.Configuration;

/// <summary>Where the data comes from: one of the reader kinds.</summary>
public abstract record ReaderOptions
{
    /// <summary>The v4 section name of this reader, e.g. <c>sync_reader</c>.</summary>
    public abstract string Section { get; }

    /// <summary>What the run does, in redis-shake's words: <c>sync</c>, <c>scan</c>, <c>restore</c> or <c>aof</c>.</summary>
    public abstract string Mode { get; }
}

/// <summary>Replicate from a live source through PSYNC (<c>[sync_reader]</c>, or v3 <c>type = "sync"</c>).</summary>
/// <param name="Source">The source deployment.</param>
/// <param name="SyncRdb">Transfer the full snapshot (RDB).</param>
/// <param name="SyncAof">Keep forwarding the command stream after the snapshot.</param>
/// <param name="PreferReplica">For a cluster source, replicate from replicas rather than masters.</param>
/// <param name="TryDiskless">Ask the source for a diskless (socket) transfer.</param>
public sealed record SyncReaderOptions(RedisInstanceOptions Source, bool SyncRdb = true, bool SyncAof = true, bool PreferReplica = false, bool TryDiskless = false) : ReaderOptions
{
    /// <summary>
    /// Find the source master through Redis Sentinel (<c>[sync_reader.sentinel]</c>), and follow it through the
    /// sentinels' failovers; null: <see cref="Source"/>'s address is the source.
    /// </summary>
    public SentinelOptions? Sentinel { get; init; }

    /// <inheritdoc />
    public override string Section => "sync_reader";

    /// <inheritdoc />
    public override string Mode => "sync";
}

/// <summary>Copy keys with SCAN + DUMP (<c>[scan_reader]</c>, or v3 <c>type = "scan"</c>).</summary>
/// <param name="Source">The source deployment.</param>
/// <param name="Dbs">Databases to scan; empty means all.</param>
/// <param name="Scan">Scan the existing keys.</param>
/// <param name="Ksn">Follow changes through keyspace notifications.</param>
/// <param name="Count">SCAN COUNT per iteration.</param>
public sealed record ScanReaderOptions(RedisInstanceOptions Source, IReadOnlyList<int> Dbs, bool Scan = true, bool Ksn = false, int Count = 1) : ReaderOptions
{
    /// <inheritdoc />
    public override string Section => "scan_reader";

    /// <inheritdoc />
    public override string Mode => "scan";
}

/// <summary>Load an RDB file (<c>[rdb_reader]</c>, or v3 <c>type = "restore"</c>).</summary>
/// <param name="FilePath">The RDB file; a v3 relative <c>rdb_file_path</c> is already joined to <c>dir</c>.</param>
public sealed record RdbReaderOptions(string FilePath) : ReaderOptions
{
    /// <inheritdoc />
    public override string Section => "rdb_reader";

    /// <inheritdoc />
    public override string Mode => "restore";
}

/// <summary>Replay an append-only file (<c>[aof_reader]</c>).</summary>
/// <param name="FilePath">The AOF file or manifest.</param>
/// <param name="Timestamp">Replay up to this Unix time in seconds; 0 replays everything.</param>
public sealed record AofReaderOptions(string FilePath, long Timestamp = 0) : ReaderOptions
{
    /// <inheritdoc />
    public override string Section => "aof_reader";

    /// <inheritdoc />
    public override string Mode => "aof";
}
