using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Shake.Core.Commands;
using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Resp.Protocol;

namespace Shake.Benchmarks;

/// <summary>
/// The filter's per-command cost on the replication path: command lookup, key location and the <c>[filter]</c>
/// lists for a typical mix (SET, HSET, MSET of 4 keys, EVALSHA with 2 keys, ZUNIONSTORE), and the same through a
/// Lua script, which allocates its arguments.
/// </summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private readonly List<List<ReadOnlySequence<byte>>> _commands = [];
    private FilterPipeline? _lists;
    private FilterPipeline? _lua;
    private readonly List<int> _keys = new(16);
    private readonly List<ReadOnlySequence<byte>> _arguments = new(16);
    private ReadOnlySequence<byte> _stream;

    [GlobalSetup]
    public void Setup()
    {
        string[][] mix =
        [
            ["SET", "user:1", "value"], ["HSET", "user:2", "f", "v"], ["MSET", "user:3", "a", "user:4", "b", "user:5", "c", "user:6", "d"],
            ["EVALSHA", "0123456789abcdef0123456789abcdef01234567", "2", "user:7", "user:8", "arg"], ["ZUNIONSTORE", "user:d", "2", "user:a", "user:b"],
        ];
        foreach (var words in mix)
            _commands.Add(words.Select(w => new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(w))).ToList());
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            if (i % 3 == 0) text.Append($"*3\r\n$3\r\nSET\r\n$9\r\nuser:{i:D4}\r\n$5\r\nvalue\r\n");
            else if (i % 3 == 1) text.Append($"*4\r\n$4\r\nHSET\r\n$10\r\norder:{i:D4}\r\n$1\r\nf\r\n$1\r\nv\r\n");
            else text.Append($"*5\r\n$4\r\nMSET\r\n$9\r\nuser:{i:D4}\r\n$1\r\na\r\n$9\r\ntemp:{i:D4}\r\n$1\r\nb\r\n");
        }
        _stream = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        _lists = new FilterPipeline([new Shake.Core.Filters.ListFilter(new FilterOptions
        {
            AllowKeyPrefix = ["user:", "order:"],
            BlockKeySuffix = [":tmp"],
            BlockDb = [5],
            BlockCommandGroup = ["PUBSUB"],
        })], NullLogger.Instance);
        _lua = new FilterPipeline([Shake.Core.Filters.LuaFilter.FromSource("""
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if string.sub(keys[1] or "user:", 1, 5) ~= "user:" then return 1, db_id end
                return 0, db_id
            end
            """, "bench.lua")], NullLogger.Instance);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lists?.Dispose();
        _lua?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = 5)]
    public int LocateKeys()
    {
        var total = 0;
        foreach (var command in _commands)
        {
            CommandTable.TryResolve(command, out var spec);
            KeyLocator.Locate(spec, command, _keys);
            total += _keys.Count;
        }
        return total;
    }

    [Benchmark(OperationsPerInvoke = 5)]
    public int ListFilter()
    {
        var passed = 0;
        foreach (var command in _commands)
            if (_lists!.TryPassCommand(command, 0, out _)) passed++;
        return passed;
    }

    [Benchmark(OperationsPerInvoke = 5)]
    public int LuaFilter()
    {
        var passed = 0;
        foreach (var command in _commands)
            if (_lua!.TryPassCommand(command, 0, out _)) passed++;
        return passed;
    }

    /// <summary>1000 replication commands read from RESP and decided by the lists (SET and HSET pass, an MSET with one blocked key is dropped as mixed keys).</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public int StreamThroughLists()
    {
        var reader = new SequenceReader<byte>(_stream);
        var passed = 0;
        while (RespReader.TryReadCommand(ref reader, _arguments))
            if (_lists!.TryPassCommand(_arguments, 0, out _)) passed++;
        return passed;
    }
}
