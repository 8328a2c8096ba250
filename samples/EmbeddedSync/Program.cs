// Keeps a target Redis in sync with a source Redis from inside a program, with a filter written in C#:
// keys under "session:" are not copied and keys under "cache:" go to database 1 of the target.
// Usage: EmbeddedSync <source host:port> <target host:port> [--once]
//   --once: copy the snapshot, then stop (without it the command stream is followed until Ctrl+C).
using System.Buffers;
using Microsoft.Extensions.Logging;
using Shake.Core.Conversion;
using Shake.Core.Engine;
using Shake.Core.Filters;
using Shake.Resp.Connections;

if (args.Length is < 2 or > 3 || (args.Length == 3 && args[2] != "--once"))
{
    Console.Error.WriteLine("usage: EmbeddedSync <source host:port> <target host:port> [--once]");
    return 2;
}
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
var logger = new ConsoleLogger();
var directory = Path.Combine(Path.GetTempPath(), $"embedded-sync-{Environment.ProcessId}");
// Entries RESTORE cannot serve (a target older than the source) are rewritten as plain commands.
using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
var options = new EngineOptions
{
    Source = new RedisConnectionOptions { Address = args[0] },
    Target = new RedisConnectionOptions { Address = args[1] },
    SyncAof = args.Length < 3,
    Directory = directory,
    Converter = converter,
    CustomFilters = [new SessionAndCacheFilter()],
};
var engine = new SyncEngine(options, logger);
try
{
    var summary = await engine.RunAsync(stop.Token);
    Console.WriteLine($"done: {summary}");
    Console.WriteLine($"filters: {engine.Filters?.Statistics.PassedEntries} keys and {engine.Filters?.Statistics.PassedCommands} commands passed; {engine.Filters?.Statistics.Describe()}");
    return 0;
}
catch (Exception e) when (e is not OperationCanceledException)
{
    Console.Error.WriteLine($"EmbeddedSync: {e.Message}");
    return 1;
}
finally
{
    if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
}

/// <summary>Drops <c>session:</c> keys and sends <c>cache:</c> keys to database 1, for snapshot entries and commands alike.</summary>
internal sealed class SessionAndCacheFilter : IShakeFilter
{
    public FilterDecision OnEntry(in EntryFacts entry) => Decide(entry.Key, entry.Db);

    public FilterDecision OnCommand(in CommandFacts command)
    {
        // A command whose keys disagree cannot be split here; its first key decides, and keyless commands pass.
        if (command.KeyIndexes.IsEmpty) return FilterDecision.Pass(command.Db);
        var key = command.Arguments[command.KeyIndexes[0]];
        return Decide(key.IsSingleSegment ? key.FirstSpan : key.ToArray(), command.Db);
    }

    private static FilterDecision Decide(ReadOnlySpan<byte> key, int db)
    {
        if (key.StartsWith("session:"u8)) return FilterDecision.Drop(FilterReason.Key);
        if (key.StartsWith("cache:"u8)) return FilterDecision.Pass(1);
        return FilterDecision.Pass(db);
    }
}

/// <summary>Writes Information and above to the console, one line each.</summary>
internal sealed class ConsoleLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}");
    }
}
