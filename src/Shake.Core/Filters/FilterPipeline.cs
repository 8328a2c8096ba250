using System.Buffers;
using Microsoft.Extensions.Logging;
using Shake.Core.Commands;
using Shake.Core.Configuration;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Core.Filters;

/// <summary>
/// Runs the configured filters (the <c>[filter]</c> lists first, then the Lua script, as redis-shake does) on RDB
/// entries and replicated commands, finds a command's group and keys in the <see cref="CommandTable"/>, counts every
/// drop by reason and throws <see cref="FilterStoppedException"/> when a filter stops the sync. Commands not in the
/// table are reported once each and have their first argument taken as their only key. The command path allocates
/// nothing unless a Lua script runs; it is meant for one replication stream at a time (entries may come from another thread).
/// </summary>
public sealed class FilterPipeline : IDisposable
{
    private readonly IShakeFilter[] _filters;
    private readonly ILogger _logger;
    private readonly List<int> _keys = new(16);
    private readonly HashSet<string> _reportedUnknown = new(StringComparer.OrdinalIgnoreCase);
    private long _id;

    /// <summary>Runs <paramref name="filters"/> in order; the first that does not pass decides.</summary>
    public FilterPipeline(IReadOnlyList<IShakeFilter> filters, ILogger logger)
    {
        _filters = [.. filters];
        _logger = logger;
    }

    /// <summary>
    /// The pipeline for <paramref name="options"/>, or null when no list and no script is configured. Loads the Lua
    /// script (throws <see cref="LuaFilterException"/> when it cannot be used).
    /// </summary>
    public static FilterPipeline? Create(FilterOptions options, ILogger logger)
    {
        var filters = new List<IShakeFilter>();
        if (ListFilter.IsConfigured(options)) filters.Add(new ListFilter(options));
        if (!string.IsNullOrEmpty(options.LuaScriptPath)) filters.Add(LuaFilter.Load(options.LuaScriptPath));
        return filters.Count == 0 ? null : new FilterPipeline(filters, logger);
    }

    /// <summary>
    /// False when every entry and command of source database <paramref name="db"/> is dropped by the database lists
    /// (so the target need not have it); a Lua script may redirect any database, so it never rules one out.
    /// </summary>
    public bool MayPassDb(int db)
    {
        foreach (var filter in _filters)
            if (filter is ListFilter list && !list.AllowsDb(db)) return false;
        return true;
    }

    /// <summary>What was passed, redirected and dropped.</summary>
    public FilterStatistics Statistics { get; } = new();

    /// <summary>Decides for an RDB entry: true with the database to write it to, false when dropped (and counted).</summary>
    public bool TryPassEntry(in RdbEntry entry, out int db) => TryPassEntry(entry.Db, entry.Key, GroupOf(entry.LogicalType), out db);

    /// <summary>Decides for an RDB entry given its database, key and its type's group.</summary>
    public bool TryPassEntry(int sourceDb, ReadOnlySpan<byte> key, CommandGroup group, out int db)
    {
        var id = Interlocked.Increment(ref _id);
        db = sourceDb;
        foreach (var filter in _filters)
        {
            var decision = filter.OnEntry(new EntryFacts(id, db, key, group));
            if (!Apply(decision, ref db)) return false;
        }
        Statistics.Pass(isEntry: true, redirected: db != sourceDb);
        return true;
    }

    /// <summary>
    /// Decides for a replicated command (<paramref name="arguments"/> with its name first) run in <paramref name="sourceDb"/>:
    /// true with the database to write it to, false when dropped (and counted).
    /// </summary>
    public bool TryPassCommand(IReadOnlyList<ReadOnlySequence<byte>> arguments, int sourceDb, out int db)
    {
        db = sourceDb;
        if (arguments.Count == 0) throw new ArgumentException("a replicated command has at least its name", nameof(arguments));
        var id = Interlocked.Increment(ref _id);
        string name;
        CommandGroup group;
        if (CommandTable.TryResolve(arguments, out var spec))
        {
            name = spec.CommandName;
            group = spec.Group;
            KeyLocator.Locate(spec, arguments, _keys);
        }
        else
        {
            name = ReportUnknown(arguments[0]);
            group = CommandGroup.Unknown;
            KeyLocator.Locate(null, arguments, _keys);
        }
        var keys = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_keys);
        foreach (var filter in _filters)
        {
            var decision = filter.OnCommand(new CommandFacts(id, db, name, group, arguments, keys));
            if (!Apply(decision, ref db)) return false;
        }
        Statistics.Pass(isEntry: false, redirected: db != sourceDb);
        return true;
    }

    private bool Apply(in FilterDecision decision, ref int db)
    {
        switch (decision.Verdict)
        {
            case FilterVerdict.Pass:
                db = decision.Db;
                return true;
            case FilterVerdict.Drop:
                Statistics.Drop(decision.Reason);
                return false;
            default:
                throw new FilterStoppedException(decision.Message ?? "a filter stopped the sync");
        }
    }

    private string ReportUnknown(in ReadOnlySequence<byte> nameBytes)
    {
        var name = CommandTable.Describe(nameBytes).ToUpperInvariant();
        if (_reportedUnknown.Count < 1000 && _reportedUnknown.Add(name))
            _logger.LogWarning("the replicated command {Command} is not in Shake's command table: its group is UNKNOWN and its first argument is taken as its only key", name);
        return name;
    }

    /// <summary>The group an RDB value's type belongs to (module values: GENERIC).</summary>
    public static CommandGroup GroupOf(RdbLogicalType type) => type switch
    {
        RdbLogicalType.String => CommandGroup.String,
        RdbLogicalType.List => CommandGroup.List,
        RdbLogicalType.Set => CommandGroup.Set,
        RdbLogicalType.ZSet => CommandGroup.SortedSet,
        RdbLogicalType.Hash => CommandGroup.Hash,
        RdbLogicalType.Stream => CommandGroup.Stream,
        _ => CommandGroup.Generic,
    };

    /// <summary>Closes the Lua state, if any.</summary>
    public void Dispose()
    {
        foreach (var filter in _filters)
            (filter as IDisposable)?.Dispose();
    }
}
