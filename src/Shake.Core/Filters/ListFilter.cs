using Shake.Core.Commands;
using Shake.Core.Configuration;

namespace Shake.Core.Filters;

/// <summary>
/// The redis-shake v4 <c>[filter]</c> lists. Empty allow lists allow everything and block lists win. Checks run in
/// this order and the first that fails names the reason: database, command name (replicated commands only: RDB
/// entries are data, not commands), command group (an RDB entry by its type's group, so <c>block_command_group =
/// ["HASH"]</c> leaves hashes out of both phases), keys. A command passes the key lists when every key does; keyless
/// commands (FLUSHALL, SCRIPT LOAD, …) pass them; a multi-key command whose keys disagree is dropped as
/// <see cref="FilterReason.MixedKeys"/> since writing only part of it is impossible.
/// </summary>
public sealed class ListFilter : IShakeFilter
{
    private readonly HashSet<int> _allowDb, _blockDb;
    private readonly HashSet<string> _allowCommand, _blockCommand;
    private readonly bool[] _allowGroup, _blockGroup;
    private readonly bool _groupAllowList;
    private readonly KeyPatterns _keys;

    /// <summary>Builds the filter from the <c>[filter]</c> options; unknown group names are refused.</summary>
    public ListFilter(FilterOptions options)
    {
        _allowDb = [.. options.AllowDb];
        _blockDb = [.. options.BlockDb];
        _allowCommand = new HashSet<string>(options.AllowCommand, StringComparer.OrdinalIgnoreCase);
        _blockCommand = new HashSet<string>(options.BlockCommand, StringComparer.OrdinalIgnoreCase);
        var groupCount = Enum.GetValues<CommandGroup>().Length;
        _allowGroup = Groups(options.AllowCommandGroup, "allow_command_group", groupCount);
        _blockGroup = Groups(options.BlockCommandGroup, "block_command_group", groupCount);
        _groupAllowList = options.AllowCommandGroup.Count > 0;
        _keys = new KeyPatterns(options.AllowKeyPrefix, options.AllowKeySuffix, options.BlockKeyPrefix, options.BlockKeySuffix);
    }

    /// <summary>Whether the options set any list (otherwise the filter passes everything and need not run).</summary>
    public static bool IsConfigured(FilterOptions options) =>
        options.AllowKeyPrefix.Count + options.AllowKeySuffix.Count + options.BlockKeyPrefix.Count + options.BlockKeySuffix.Count
        + options.AllowDb.Count + options.BlockDb.Count + options.AllowCommand.Count + options.BlockCommand.Count
        + options.AllowCommandGroup.Count + options.BlockCommandGroup.Count > 0;

    /// <inheritdoc />
    public FilterDecision OnEntry(in EntryFacts entry)
    {
        if (!AllowsDb(entry.Db)) return FilterDecision.Drop(FilterReason.Db);
        if (!AllowsGroup(entry.Group)) return FilterDecision.Drop(FilterReason.CommandGroup);
        if (!_keys.Allows(entry.Key)) return FilterDecision.Drop(FilterReason.Key);
        return FilterDecision.Pass(entry.Db);
    }

    /// <inheritdoc />
    public FilterDecision OnCommand(in CommandFacts command)
    {
        if (!AllowsDb(command.Db)) return FilterDecision.Drop(FilterReason.Db);
        if (_allowCommand.Count > 0 && !_allowCommand.Contains(command.Name)) return FilterDecision.Drop(FilterReason.Command);
        if (_blockCommand.Contains(command.Name)) return FilterDecision.Drop(FilterReason.Command);
        if (!AllowsGroup(command.Group)) return FilterDecision.Drop(FilterReason.CommandGroup);
        if (_keys.IsActive && command.KeyIndexes.Length > 0)
        {
            int passed = 0;
            foreach (var index in command.KeyIndexes)
                if (_keys.Allows(command.Arguments[index])) passed++;
            if (passed == 0) return FilterDecision.Drop(FilterReason.Key);
            if (passed < command.KeyIndexes.Length) return FilterDecision.Drop(FilterReason.MixedKeys);
        }
        return FilterDecision.Pass(command.Db);
    }

    /// <summary>Whether database <paramref name="db"/> passes <c>allow_db</c> and <c>block_db</c>.</summary>
    public bool AllowsDb(int db) => (_allowDb.Count == 0 || _allowDb.Contains(db)) && !_blockDb.Contains(db);

    private bool AllowsGroup(CommandGroup group) => (!_groupAllowList || _allowGroup[(int)group]) && !_blockGroup[(int)group];

    private static bool[] Groups(IEnumerable<string> names, string option, int count)
    {
        var set = new bool[count];
        foreach (var name in names)
        {
            if (CommandGroupNames.TryParse(name, out var group)) set[(int)group] = true;
            else if (!FilterOptions.CommandGroups.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"filter.{option} names an unknown command group '{name}'; known groups: {string.Join(", ", FilterOptions.CommandGroups)}");
            // Tair groups are valid names with no commands in a Redis command table: they simply never match.
        }
        return set;
    }
}
