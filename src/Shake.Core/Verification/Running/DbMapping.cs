using Microsoft.Extensions.Logging.Abstractions;
using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Core.Verification.Model;

namespace Shake.Core.Verification.Running;

/// <summary>
/// Where the configuration sends a source key: the filters the sync runs (lists and Lua script) decide whether it is
/// carried and to which database; a cluster target has database 0 only. Safe for use from several tasks.
/// </summary>
public sealed class DbMapping : IDisposable, IAsyncDisposable
{
    private readonly FilterPipeline? _filter;
    private readonly Lock _filterLock = new();
    private readonly bool _redirects;

    private DbMapping(FilterPipeline? filter, bool redirects, bool sourceCluster, bool targetCluster)
    {
        _filter = filter;
        _redirects = redirects;
        SourceCluster = sourceCluster;
        TargetCluster = targetCluster;
    }

    /// <summary>
    /// The mapping of <paramref name="filter"/> between two sides (a Lua script is loaded now). A <c>[filter] function</c>
    /// is not run: it rewrites commands, not keys one by one, so keys are compared as the lists and script map them.
    /// </summary>
    public static DbMapping Create(FilterOptions filter, bool sourceCluster, bool targetCluster) =>
        new(FilterPipeline.Create(filter with { Function = "" }, NullLogger.Instance), !string.IsNullOrEmpty(filter.LuaScriptPath), sourceCluster, targetCluster);

    /// <summary>
    /// Keys starting with these bytes are Shake's checkpoints (<c>[advanced] checkpoint_key</c>): neither carried nor
    /// extra on either side. Null or empty: none.
    /// </summary>
    public byte[]? CheckpointPrefix { get; set; }

    /// <summary>True for a checkpoint key (see <see cref="CheckpointPrefix"/>).</summary>
    public bool IsCheckpointKey(ReadOnlySpan<byte> key) => CheckpointPrefix is { Length: > 0 } prefix && key.StartsWith(prefix);

    /// <summary>Whether the source is a cluster (database 0 only).</summary>
    public bool SourceCluster { get; }

    /// <summary>Whether the target is a cluster (every key goes to database 0).</summary>
    public bool TargetCluster { get; }

    /// <summary>Whether a filter runs at all (then the type of a target key decides whether it is in scope).</summary>
    public bool Filters => _filter is not null;

    /// <summary>Whether each target database receives keys from at most one source database.</summary>
    public bool OneToOne(int sourceDbCount) => !_redirects && (!TargetCluster || sourceDbCount <= 1);

    /// <summary>False when the database lists drop every key of <paramref name="sourceDb"/>.</summary>
    public bool MayPassDb(int sourceDb) => _filter?.MayPassDb(sourceDb) ?? true;

    /// <summary>Whether the key is carried, and to which target database.</summary>
    public bool TryMap(int sourceDb, ReadOnlySpan<byte> key, RedisValueType type, out int targetDb)
    {
        targetDb = sourceDb;
        if (IsCheckpointKey(key)) return false;
        if (_filter is not null)
        {
            lock (_filterLock)
                if (!_filter.TryPassEntry(sourceDb, key, type.Group(), out targetDb)) return false;
        }
        if (TargetCluster) targetDb = 0;
        return true;
    }

    /// <summary>
    /// The source databases whose keys may land in <paramref name="targetDb"/>, among <paramref name="sourceDbs"/>
    /// (those holding keys); without a redirecting script or a cluster target only the same number qualifies.
    /// </summary>
    public IReadOnlyList<int> SourceDbsFor(int targetDb, IReadOnlyList<int> sourceDbs)
    {
        if (TargetCluster && targetDb != 0) return [];
        if (SourceCluster) return MayPassDb(0) ? [0] : [];
        if (_redirects || TargetCluster) return [.. sourceDbs.Where(MayPassDb)];
        return MayPassDb(targetDb) ? [targetDb] : [];
    }

    /// <summary>The same as <see cref="Dispose"/>: what it holds is released at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the Lua state, if any.</summary>
    public void Dispose() => _filter?.Dispose();
}
