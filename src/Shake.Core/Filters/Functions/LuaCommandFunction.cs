using System.Buffers;
using System.Text;
using KeraLua;
using Microsoft.Extensions.Logging;
using Shake.Core.Commands;
using Shake.Core.Routing;
using Shake.Resp.Protocol;

namespace Shake.Core.Filters.Functions;

/// <summary>
/// The redis-shake v4 <c>[filter] function</c>: a Lua 5.4 script run once per command (RDB entries are presented as the
/// commands that rebuild them). Before each run the globals <c>DB</c> (number), <c>CMD</c> (upper-case name,
/// sub-commands as <c>XGROUP-CREATE</c>), <c>GROUP</c> (<c>STRING</c>, <c>HASH</c>, …), <c>KEYS</c>, <c>KEY_INDEXES</c>
/// (positions of the keys in <c>ARGV</c>, which counts the command name as 1), <c>SLOTS</c> (cluster slots of the keys)
/// and <c>ARGV</c> (every argument, the name first) are set; the script emits zero or more commands with
/// <c>shake.call(db, argv)</c> (nothing emitted drops the command) and may write to the log with <c>shake.log(...)</c>.
/// The script is compiled once into one Lua state; runs are serialised.
/// </summary>
public sealed class LuaCommandFunction : IDisposable, IAsyncDisposable
{
    /// <summary>How Lua names the script in error messages (<c>[filter] function:3: …</c>).</summary>
    public const string ChunkName = "[filter] function";

    // Binds the API around the user's chunk. shake.call's checks run in C#; a problem comes back as text so the error
    // is raised in Lua, where it names the script's line (level 2), rather than across the managed frames.
    private const string Prelude = """
        local chunk, emit, log = ...
        shake = {}
        function shake.call(db, argv)
          local problem = emit(db, argv)
          if problem then error(problem, 2) end
        end
        function shake.log(...)
          local parts = table.pack(...)
          for i = 1, parts.n do parts[i] = tostring(parts[i]) end
          log(table.concat(parts, " ", 1, parts.n))
        end
        return function(db, cmd, group, keys, key_indexes, slots, argv)
          DB, CMD, GROUP, KEYS, KEY_INDEXES, SLOTS, ARGV = db, cmd, group, keys, key_indexes, slots, argv
          chunk()
        end
        """;

    private readonly Lua _lua;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<EmittedCommand> _emitted = [];
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly Dictionary<string, byte[]> _names = new(StringComparer.Ordinal);
    // Native code calls these; the fields keep the delegates alive as long as the state.
    private readonly LuaFunction _emit;
    private readonly LuaFunction _log;
    private int _runner;
    private byte[] _joined = [];

    private LuaCommandFunction(ILogger logger)
    {
        _lua = new Lua(openLibs: true);
        _logger = logger;
        _emit = Emit;
        _log = Log;
    }

    /// <summary>
    /// Compiles <paramref name="source"/> (the text of <c>function</c>); throws <see cref="LuaFunctionException"/>
    /// naming the line when it does not compile. <paramref name="logger"/> receives <c>shake.log</c>.
    /// </summary>
    public static LuaCommandFunction FromSource(string source, ILogger logger)
    {
        var function = new LuaCommandFunction(logger);
        try
        {
            function.Compile(source);
            return function;
        }
        catch
        {
            function.Dispose();
            throw;
        }
    }

    private void Compile(string source)
    {
        // "@name" makes Lua report errors as "name:line: message".
        if (_lua.LoadString(source, "@" + ChunkName) != LuaStatus.OK)
            throw new LuaFunctionException($"the [filter] function does not compile: {_lua.ToString(-1)}");
        if (_lua.LoadString(Prelude, "=shake") != LuaStatus.OK) throw new InvalidOperationException(_lua.ToString(-1));
        _lua.Insert(-2);
        _lua.PushCFunction(_emit);
        _lua.PushCFunction(_log);
        if (_lua.PCall(3, 1, 0) != LuaStatus.OK) throw new InvalidOperationException(_lua.ToString(-1));
        _runner = _lua.Ref(LuaRegistry.Index);
    }

    /// <summary>Commands the last <see cref="Run"/> emitted, in order (reused by the next run).</summary>
    public IReadOnlyList<EmittedCommand> Emitted => _emitted;

    /// <summary>
    /// Runs the script for one command: <paramref name="arguments"/> (name first) in source database <paramref name="db"/>,
    /// named <paramref name="name"/> (as <c>CMD</c> shows it), keys at <paramref name="keyIndexes"/> (0-based into
    /// <paramref name="arguments"/>). True with <see cref="Emitted"/> holding what it emitted; false with
    /// <paramref name="error"/> (Lua's message, naming the line) when the script failed, and nothing emitted.
    /// </summary>
    public bool Run(IReadOnlyList<ReadOnlySequence<byte>> arguments, ReadOnlySpan<int> keyIndexes, int db, string name, CommandGroup group, out string? error)
    {
        lock (_gate)
        {
            _emitted.Clear();
            var state = _lua.Handle;
            _lua.SetTop(0);
            _lua.RawGetInteger(LuaRegistry.Index, _runner);
            _lua.PushInteger(db);
            LuaNative.PushBytes(state, NameBytes(name));
            LuaNative.PushBytes(state, NameBytes(CommandGroupNames.Name(group)));
            _lua.CreateTable(keyIndexes.Length, 0);
            for (var i = 0; i < keyIndexes.Length; i++)
            {
                Push(state, arguments[keyIndexes[i]]);
                _lua.RawSetInteger(-2, i + 1);
            }
            _lua.CreateTable(keyIndexes.Length, 0);
            for (var i = 0; i < keyIndexes.Length; i++)
            {
                _lua.PushInteger(keyIndexes[i] + 1);
                _lua.RawSetInteger(-2, i + 1);
            }
            _lua.CreateTable(keyIndexes.Length, 0);
            for (var i = 0; i < keyIndexes.Length; i++)
            {
                _lua.PushInteger(Slot(arguments[keyIndexes[i]]));
                _lua.RawSetInteger(-2, i + 1);
            }
            _lua.CreateTable(arguments.Count, 0);
            for (var i = 0; i < arguments.Count; i++)
            {
                Push(state, arguments[i]);
                _lua.RawSetInteger(-2, i + 1);
            }
            var status = _lua.PCall(7, 0, 0);
            error = status == LuaStatus.OK ? null : _lua.ToString(-1) ?? status.ToString();
            _lua.SetTop(0);
            if (error is not null) _emitted.Clear();
            return error is null;
        }
    }

    private byte[] NameBytes(string name)
    {
        if (!_names.TryGetValue(name, out var bytes))
        {
            bytes = Encoding.UTF8.GetBytes(name);
            if (_names.Count < 4096) _names[name] = bytes;
        }
        return bytes;
    }

    private void Push(IntPtr state, in ReadOnlySequence<byte> value)
    {
        if (value.IsSingleSegment)
        {
            LuaNative.PushBytes(state, value.FirstSpan);
            return;
        }
        var length = checked((int)value.Length);
        if (_joined.Length < length) _joined = new byte[Math.Max(length, _joined.Length * 2)];
        value.CopyTo(_joined);
        LuaNative.PushBytes(state, _joined.AsSpan(0, length));
    }

    private static int Slot(in ReadOnlySequence<byte> key) => key.IsSingleSegment ? ClusterSlot.Of(key.FirstSpan) : ClusterSlot.Of(key.ToArray());

    // shake.call's native half: (db, argv) → nothing, or the text of what is wrong with them.
    private int Emit(IntPtr state)
    {
        try
        {
            // A coroutine of the script has a state of its own.
            var lua = Lua.FromIntPtr(state);
            var problem = TryEmit(lua, state);
            if (problem is null) return 0;
            lua.PushString(problem);
            return 1;
        }
        catch (Exception e)
        {
            Lua.FromIntPtr(state).PushString($"shake.call failed: {e.Message}");
            return 1;
        }
    }

    private string? TryEmit(Lua lua, IntPtr state)
    {
        var db = lua.IsNumber(1) ? lua.ToIntegerX(1) : null;
        if (db is null or < 0 or > int.MaxValue)
            return $"shake.call: the database must be a non-negative integer, not {Describe(lua, 1)}";
        if (lua.Type(2) != LuaType.Table) return $"shake.call: the command must be a table of arguments, not {Describe(lua, 2)}";
        var count = (int)lua.RawLen(2);
        if (count == 0) return "shake.call: the command is an empty table (its first element is the command name)";
        _scratch.Clear();
        RespCommandWriter.WriteArrayHeader(_scratch, count);
        for (var i = 1; i <= count; i++)
        {
            lua.RawGetInteger(2, i);
            if (lua.Type(-1) is not (LuaType.String or LuaType.Number) || !LuaNative.TryGetBytes(state, -1, out var argument))
                return $"shake.call: argument {i} of the command is {Describe(lua, -1)}; arguments are strings or numbers";
            RespCommandWriter.WriteBulk(_scratch, argument);
            lua.Pop(1);
        }
        _emitted.Add(new EmittedCommand((int)db.Value, _scratch.WrittenSpan.ToArray()));
        return null;
    }

    private int Log(IntPtr state)
    {
        try
        {
            _logger.LogInformation("{Chunk}: {Message}", ChunkName, Lua.FromIntPtr(state).ToString(1));
        }
        catch (Exception e)
        {
            // A log that fails must not unwind through Lua's frames.
            _logger.LogWarning("{Chunk}: shake.log failed: {Error}", ChunkName, e.Message);
        }
        return 0;
    }

    private static string Describe(Lua lua, int index) => lua.Type(index) switch
    {
        LuaType.None or LuaType.Nil => "nil",
        LuaType.String => $"the string '{lua.ToString(index)}'",
        LuaType.Number => $"the number {lua.ToNumber(index)}",
        var type => $"a {type.ToString().ToLowerInvariant()}",
    };

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
