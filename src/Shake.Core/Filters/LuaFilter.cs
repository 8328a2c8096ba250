using System.Buffers;
using KeraLua;
using Shake.Core.Commands;
using Shake.Core.Routing;

namespace Shake.Core.Filters;

/// <summary>
/// The redis-shake v3 Lua filter (<c>shake sync.toml filter.lua</c>): the script is loaded once and its global
/// <c>filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)</c> is called for every RDB entry and
/// replicated command; it returns <c>code, db_id</c> with code 0 = pass (to <c>db_id</c>), 1 = drop, 2 = stop with an
/// error. RDB entries are presented as v3 presents restored keys: <c>cmd_name</c> <c>RESTORE</c>, one key, and as group
/// the group of the value's type (STRING, HASH, …). <c>timestamp_ms</c> is 0 (the stream carries no timestamps).
/// Runs Lua 5.4; calls are serialised, so one instance may serve both flows.
/// </summary>
public sealed class LuaFilter : IShakeFilter, IDisposable, IAsyncDisposable
{
    private readonly Lua _lua;
    private readonly string _name;
    private readonly Lock _gate = new();

    private LuaFilter(Lua lua, string name)
    {
        _lua = lua;
        _name = name;
    }

    /// <summary>Loads the script at <paramref name="path"/>.</summary>
    public static LuaFilter Load(string path)
    {
        string source;
        try
        {
            source = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LuaFilterException($"the Lua filter script {path} cannot be read: {e.Message}", e);
        }
        return FromSource(source, Path.GetFileName(path));
    }

    /// <summary>Loads a script from its text; <paramref name="name"/> is how error messages name it.</summary>
    public static LuaFilter FromSource(string source, string name)
    {
        var lua = new Lua(openLibs: true);
        try
        {
            // "@name" makes Lua report errors as "name:line: message".
            if (lua.LoadString(source, "@" + name) != LuaStatus.OK || lua.PCall(0, 0, 0) != LuaStatus.OK)
                throw new LuaFilterException($"the Lua filter script {name} does not load: {lua.ToString(-1)}");
            if (lua.GetGlobal("filter") != LuaType.Function)
                throw new LuaFilterException($"the Lua filter script {name} defines no global function 'filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)'");
            lua.Pop(1);
            return new LuaFilter(lua, name);
        }
        catch
        {
            lua.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public FilterDecision OnEntry(in EntryFacts entry)
    {
        lock (_gate)
        {
            PushFunction();
            _lua.PushInteger(entry.Id);
            _lua.PushBoolean(true);
            _lua.PushString(CommandGroupNames.Name(entry.Group));
            _lua.PushString("RESTORE");
            _lua.CreateTable(1, 0);
            _lua.PushBuffer(entry.Key.ToArray());
            _lua.RawSetInteger(-2, 1);
            _lua.CreateTable(1, 0);
            _lua.PushInteger(ClusterSlot.Of(entry.Key));
            _lua.RawSetInteger(-2, 1);
            return Call(entry.Db, "RESTORE", entry.Id);
        }
    }

    /// <inheritdoc />
    public FilterDecision OnCommand(in CommandFacts command)
    {
        lock (_gate)
        {
            PushFunction();
            _lua.PushInteger(command.Id);
            _lua.PushBoolean(false);
            _lua.PushString(CommandGroupNames.Name(command.Group));
            _lua.PushString(command.Name);
            var keys = command.KeyIndexes;
            _lua.CreateTable(keys.Length, 0);
            for (var i = 0; i < keys.Length; i++)
            {
                _lua.PushBuffer(command.Arguments[keys[i]].ToArray());
                _lua.RawSetInteger(-2, i + 1);
            }
            _lua.CreateTable(keys.Length, 0);
            for (var i = 0; i < keys.Length; i++)
            {
                _lua.PushInteger(Slot(command.Arguments[keys[i]]));
                _lua.RawSetInteger(-2, i + 1);
            }
            return Call(command.Db, command.Name, command.Id);
        }
    }

    private void PushFunction()
    {
        _lua.SetTop(0);
        _lua.GetGlobal("filter");
    }

    // Expects filter, id, is_base, group, cmd_name, keys and slots pushed; pushes db_id and timestamp_ms and calls.
    private FilterDecision Call(int db, string commandName, long id)
    {
        _lua.PushInteger(db);
        _lua.PushInteger(0);
        if (_lua.PCall(8, 2, 0) != LuaStatus.OK)
            return FilterDecision.Stop($"the Lua filter {_name} failed on {commandName} (id {id}, db {db}): {_lua.ToString(-1)}");
        try
        {
            if (!_lua.IsInteger(1))
                return FilterDecision.Stop($"the Lua filter {_name} returned {Describe(1)} as code for {commandName} (id {id}, db {db}); expected 0 (pass), 1 (drop) or 2 (stop)");
            var code = _lua.ToInteger(1);
            switch (code)
            {
                case 1: return FilterDecision.Drop(FilterReason.Script);
                case 2: return FilterDecision.Stop($"the Lua filter {_name} stopped the sync at {commandName} (id {id}, db {db})");
                case 0: break;
                default:
                    return FilterDecision.Stop($"the Lua filter {_name} returned code {code} for {commandName} (id {id}, db {db}); expected 0 (pass), 1 (drop) or 2 (stop)");
            }
            if (_lua.IsNil(2)) return FilterDecision.Pass(db);
            if (!_lua.IsInteger(2) || _lua.ToInteger(2) is < 0 or > int.MaxValue)
                return FilterDecision.Stop($"the Lua filter {_name} returned {Describe(2)} as db_id for {commandName} (id {id}, db {db}); expected a database number");
            return FilterDecision.Pass((int)_lua.ToInteger(2));
        }
        finally
        {
            _lua.SetTop(0);
        }
    }

    private string Describe(int index) => _lua.Type(index) switch
    {
        LuaType.Nil => "nothing",
        LuaType.String => $"the string '{_lua.ToString(index)}'",
        LuaType.Number => $"the number {_lua.ToNumber(index)}",
        var type => $"a {type.ToString().ToLowerInvariant()}",
    };

    private static int Slot(in ReadOnlySequence<byte> key) => key.IsSingleSegment ? ClusterSlot.Of(key.FirstSpan) : ClusterSlot.Of(key.ToArray());

    /// <summary>The same as <see cref="Dispose"/>: what it holds is released at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the Lua state.</summary>
    public void Dispose()
    {
        lock (_gate) _lua.Dispose();
    }
}
