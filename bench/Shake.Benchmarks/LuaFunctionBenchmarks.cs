using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Shake.Core.Configuration;
using Shake.Core.Filters;

namespace Shake.Benchmarks;

/// <summary>
/// The v4 <c>[filter] function</c>'s cost per command over the same mix as <see cref="FilterBenchmarks"/> (SET, HSET,
/// MSET of 4 keys, EVALSHA with 2 keys, ZUNIONSTORE): a script that emits nothing (the fixed cost: variables set,
/// script run), one that passes every command on (plus one emitted command encoded), and the prefix rewrite of
/// redis-shake's examples (plus string work in Lua). The v3 script of <see cref="FilterBenchmarks"/> is alongside.
/// </summary>
[MemoryDiagnoser]
public class LuaFunctionBenchmarks
{
    private readonly List<List<ReadOnlySequence<byte>>> _commands = [];
    private FilterPipeline _drop = null!;
    private FilterPipeline _pass = null!;
    private FilterPipeline _rewrite = null!;
    private FilterPipeline _v3 = null!;

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
        _drop = Function("if DB >= 0 then return end");
        _pass = Function("shake.call(DB, ARGV)");
        _rewrite = Function("""
            for _, index in ipairs(KEY_INDEXES) do
              local key = ARGV[index]
              if string.sub(key, 1, 5) == "user:" then ARGV[index] = "customer:" .. string.sub(key, 6) end
            end
            shake.call(DB, ARGV)
            """);
        _v3 = new FilterPipeline([LuaFilter.FromSource("""
            function filter(id, is_base, group, cmd_name, keys, slots, db_id, timestamp_ms)
                if string.sub(keys[1] or "user:", 1, 5) ~= "user:" then return 1, db_id end
                return 0, db_id
            end
            """, "bench.lua")], NullLogger.Instance);
    }

    private static FilterPipeline Function(string source) => FilterPipeline.Create(new FilterOptions { Function = source }, NullLogger.Instance)!;

    [GlobalCleanup]
    public void Cleanup()
    {
        _drop.Dispose();
        _pass.Dispose();
        _rewrite.Dispose();
        _v3.Dispose();
    }

    private int Run(FilterPipeline pipeline)
    {
        var passed = 0;
        foreach (var command in _commands)
            if (pipeline.TryPassCommand(command, 0, out _)) passed += pipeline.Emitted.Count;
        return passed;
    }

    [Benchmark(OperationsPerInvoke = 5)]
    public int FunctionEmittingNothing() => Run(_drop);

    [Benchmark(OperationsPerInvoke = 5)]
    public int FunctionPassingOn() => Run(_pass);

    [Benchmark(OperationsPerInvoke = 5)]
    public int FunctionRewritingPrefixes() => Run(_rewrite);

    [Benchmark(OperationsPerInvoke = 5, Baseline = true)]
    public int V3Script() => Run(_v3);
}
