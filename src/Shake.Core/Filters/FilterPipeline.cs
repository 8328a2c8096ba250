using System.Buffers;
using Microsoft.Extensions.Logging;
using Shake.Core.Commands;
using Shake.Core.Configuration;
using Shake.Core.Filters.Functions;
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
public sealed class FilterPipeline : IDisposable, IAsyncDisposable
{
    private readonly IShakeFilter[] _filters;
    private readonly ILogger _logger;
    private readonly List<int> _keys = new(16);
    private readonly HashSet<string> _reportedUnknown = new(StringComparer.OrdinalIgnoreCase);
    private long _id;

    /// <summary>
    /// Runs <paramref name="filters"/> in order; the first that does not pass decides. A command they pass then goes
    /// through <paramref name="function"/> (the v4 <c>[filter] function</c>) when given. The pipeline owns (disposes)
    /// both.
    /// </summary>
    public FilterPipeline(IReadOnlyList<IShakeFilter> filters, ILogger logger, LuaCommandFunction? function = null)
    {
        _filters = [.. filters];
        _logger = logger;
        Function = function;
    }

    /// <summary>
    /// The v4 <c>[filter] function</c>, or null. With one, a command that passes <see cref="TryPassCommand"/> is not
    /// written as it came: the commands in <see cref="Emitted"/> are, and RDB entries go through it as commands too
    /// (<see cref="RunFunction"/>).
    /// </summary>
    public LuaCommandFunction? Function { get; }

    /// <summary>What the function emitted for the last command (empty without a function).</summary>
    public IReadOnlyList<EmittedCommand> Emitted => Function?.Emitted ?? [];

    /// <summary>
    /// The pipeline for <paramref name="options"/>, or null when no list and no script is configured. Loads the Lua
    /// script (throws <see cref="LuaFilterException"/> when it cannot be used).
    /// </summary>
    public static FilterPipeline? Create(FilterOptions options, ILogger logger) => Create(options, logger, []);

    /// <summary>
    /// As <see cref="Create(FilterOptions, ILogger)"/>, with <paramref name="custom"/> filters (written in C#) run after
    /// the lists and the script; the pipeline does not dispose them.
    /// </summary>
    public static FilterPipeline? Create(FilterOptions options, ILogger logger, IReadOnlyList<IShakeFilter> custom)
    {
        var filters = new List<IShakeFilter>();
        if (ListFilter.IsConfigured(options)) filters.Add(new ListFilter(options));
        LuaFilter? script = null;
        if (!string.IsNullOrEmpty(options.LuaScriptPath)) filters.Add(script = LuaFilter.Load(options.LuaScriptPath));
        filters.AddRange(custom);
        LuaCommandFunction? function;
        try
        {
            function = string.IsNullOrEmpty(options.Function) ? null : LuaCommandFunction.FromSource(options.Function, logger);
        }
        catch
        {
            script?.Dispose();
            throw;
        }
        return filters.Count == 0 && function is null ? null : new FilterPipeline(filters, logger, function) { _external = custom };
    }

    // Filters an embedding program handed to Create: theirs to dispose.
    private IReadOnlyList<IShakeFilter> _external = [];

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
    /// true with the database to write it to, false when dropped (and counted). With a <see cref="Function"/>, true
    /// means the function emitted at least one command: write <see cref="Emitted"/> instead of the command.
    /// </summary>
    public bool TryPassCommand(IReadOnlyList<ReadOnlySequence<byte>> arguments, int sourceDb, out int db)
    {
        db = sourceDb;
        if (arguments.Count == 0) throw new ArgumentException("a replicated command has at least its name", nameof(arguments));
        var id = Interlocked.Increment(ref _id);
        var spec = Locate(arguments, out var name, out var group);
        var keys = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_keys);
        foreach (var filter in _filters)
        {
            var decision = filter.OnCommand(new CommandFacts(id, db, name, group, arguments, keys));
            if (!Apply(decision, ref db)) return false;
        }
        if (Function is not null)
        {
            var emitted = Run(arguments, spec, name, group, db);
            if (emitted.Count == 0)
            {
                Statistics.Drop(FilterReason.Function);
                return false;
            }
            Statistics.Pass(isEntry: false, redirected: Redirects(emitted, sourceDb));
            return true;
        }
        Statistics.Pass(isEntry: false, redirected: db != sourceDb);
        return true;
    }

    /// <summary>
    /// Runs only the <see cref="Function"/> for one command that rebuilds part of an RDB entry (which passed
    /// <see cref="TryPassEntry(in RdbEntry, out int)"/>) in database <paramref name="db"/>; returns what it emitted
    /// (possibly nothing). Throws <see cref="FilterStoppedException"/> when the script fails.
    /// </summary>
    public IReadOnlyList<EmittedCommand> RunFunction(IReadOnlyList<ReadOnlySequence<byte>> arguments, int db)
    {
        if (Function is null) throw new InvalidOperationException("no [filter] function is configured");
        var spec = Locate(arguments, out var name, out var group);
        return Run(arguments, spec, name, group, db);
    }

    private CommandSpec? Locate(IReadOnlyList<ReadOnlySequence<byte>> arguments, out string name, out CommandGroup group)
    {
        if (CommandTable.TryResolve(arguments, out var spec))
        {
            name = spec.CommandName;
            group = spec.Group;
            KeyLocator.Locate(spec, arguments, _keys);
            return spec;
        }
        name = ReportUnknown(arguments[0]);
        group = CommandGroup.Unknown;
        KeyLocator.Locate(null, arguments, _keys);
        return null;
    }

    private IReadOnlyList<EmittedCommand> Run(IReadOnlyList<ReadOnlySequence<byte>> arguments, CommandSpec? spec, string name, CommandGroup group, int db)
    {
        // CMD names a sub-command as the container and the sub-command joined by a dash (XGROUP-CREATE).
        var shown = spec is { Parent: not null } ? FunctionName(spec) : name;
        var keys = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_keys);
        if (!Function!.Run(arguments, keys, db, shown, group, out var error))
            throw new FilterStoppedException($"the [filter] function failed on {shown} (db {db}): {error}");
        return Function.Emitted;
    }

    private string FunctionName(CommandSpec spec)
    {
        if (!_functionNames.TryGetValue(spec, out var shown))
            _functionNames[spec] = shown = spec.Name.Replace('|', '-').ToUpperInvariant();
        return shown;
    }

    private readonly Dictionary<CommandSpec, string> _functionNames = new(ReferenceEqualityComparer.Instance);

    private static bool Redirects(IReadOnlyList<EmittedCommand> emitted, int sourceDb)
    {
        foreach (var command in emitted)
            if (command.Db != sourceDb) return true;
        return false;
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

    /// <summary>The same as <see cref="Dispose"/>: what it holds is released at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the Lua states, if any.</summary>
    public void Dispose()
    {
        foreach (var filter in _filters)
            if (!_external.Contains(filter)) (filter as IDisposable)?.Dispose();
        Function?.Dispose();
    }
}
