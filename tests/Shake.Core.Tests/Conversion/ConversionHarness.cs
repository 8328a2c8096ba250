using Shake.Core.Configuration;
using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Shake.Core.Conversion;
using Shake.Core.Engine;
using Shake.Core.Writers;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Testing;

namespace Shake.Core.Tests.Conversion;

/// <summary>Logger that keeps every message, so tests can check what was reported.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries) Entries.Add((logLevel, formatter(state, exception)));
    }

    public IEnumerable<string> At(LogLevel level) { lock (Entries) return Entries.Where(e => e.Level == level).Select(e => e.Message).ToList(); }
}

/// <summary>Wraps a converter and records the encoded size of every command it writes, forwarding the bytes unchanged.</summary>
internal sealed class MeasuringConverter(IEntryConverter inner) : IEntryConverter
{
    public List<(string Name, int Bytes, int Arguments)> Commands { get; } = [];

    public void Convert(in RdbEntry entry, IEntryCommandSink sink) => inner.Convert(entry, new Sink(this, sink));

    private sealed class Sink(MeasuringConverter owner, IEntryCommandSink inner) : IEntryCommandSink
    {
        public TargetInfo Info => inner.Info;
        public long ProtoMaxBulkLength => inner.ProtoMaxBulkLength;
        public RestoreBehavior Behavior => inner.Behavior;
        public void Write<TCommand>(TCommand command) where TCommand : IRespCommand => inner.Write(Record(command));
        public void WriteFinal<TCommand>(TCommand command) where TCommand : IRespCommand => inner.WriteFinal(Record(command));

        private EncodedCommand Record<TCommand>(TCommand command) where TCommand : IRespCommand
        {
            var buffer = new ArrayBufferWriter<byte>();
            command.WriteTo(buffer);
            var bytes = buffer.WrittenSpan;
            var parsed = ParseHeader(bytes);
            owner.Commands.Add(parsed);
            return new EncodedCommand(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        }

        private static (string, int, int) ParseHeader(ReadOnlySpan<byte> bytes)
        {
            // *N\r\n$len\r\nNAME\r\n...
            var text = System.Text.Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 64)]);
            var lines = text.Split("\r\n");
            return (lines[2], bytes.Length, int.Parse(lines[0][1..]));
        }
    }
}

/// <summary>Feeds an RDB (file or bytes) entry by entry into a <see cref="TargetWriter"/>, like the engine's full sync.</summary>
internal static class RdbToTarget
{
    public static async Task<EngineSnapshot> ApplyAsync(byte[] rdb, RedisServer target, TargetWriterOptions options, ILogger logger, CancellationToken cancellation = default)
    {
        var statistics = new EngineStatistics();
        await using var writer = await TargetWriter.ConnectAsync(new RedisConnectionOptions { Address = target.Address }, options, statistics, logger, cancellation);
        using var parser = new RdbParser<Handler>(new Handler(writer));
        var buffer = new ReadOnlySequence<byte>(rdb);
        while (true)
        {
            var status = parser.Parse(buffer, isFinalBlock: true, out var consumed, out _);
            buffer = buffer.Slice(consumed);
            if (status == RdbParseStatus.Completed) break;
            Assert.Equal(RdbParseStatus.Stopped, status);
            // The writer queued behind a full window: let it catch up before the parser reuses its buffers.
            await writer.WaitForBacklogAsync();
        }
        await writer.DrainAsync(cancellation);
        Assert.False(writer.Failure.IsFaulted, writer.Failure.Exception?.ToString());
        return statistics.Snapshot();
    }

    /// <summary>Like <see cref="ApplyAsync"/> but returns the writer's failure instead of asserting there is none.</summary>
    public static async Task<Exception?> ApplyExpectingFailureAsync(byte[] rdb, RedisServer target, TargetWriterOptions options, ILogger logger)
    {
        var statistics = new EngineStatistics();
        await using var writer = await TargetWriter.ConnectAsync(new RedisConnectionOptions { Address = target.Address }, options, statistics, logger, CancellationToken.None);
        using var parser = new RdbParser<Handler>(new Handler(writer));
        var buffer = new ReadOnlySequence<byte>(rdb);
        while (parser.Parse(buffer, true, out var consumed, out _) == RdbParseStatus.Stopped)
        {
            buffer = buffer.Slice(consumed);
            await writer.WaitForBacklogAsync();
        }
        try
        {
            await writer.DrainAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            return e;
        }
        await Task.WhenAny(writer.Failure, Task.Delay(2000));
        return writer.Failure.Exception?.InnerException;
    }

    private sealed class Handler(TargetWriter writer) : IRdbHandler
    {
        public void OnFunction(ReadOnlySpan<byte> code) => writer.LoadFunction(System.Text.Encoding.UTF8.GetString(code));

        public bool OnEntry(in RdbEntry entry)
        {
            writer.WriteEntry(entry, entry.Db);
            return !writer.HasBacklog;
        }

    }
}

/// <summary>Runs the corpus's canonical listing script against a server.</summary>
internal static class CanonListing
{
    public static async Task<string[]> ReadAsync(RedisServer server, bool full = false)
    {
        var script = SharedAssets.PathOf("corpus", "tools", "canon.sh")!;
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(server.Port.ToString());
        info.Environment["REDIS_CLI"] = RedisBinaries.Cli;
        if (full) info.Environment["CANON_FULL"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

/// <summary>Reads, per key, the hash fields that carry their own expiry in an RDB file (decoded independently of the converter).</summary>
internal static class HashFieldExpiries
{
    public static Dictionary<string, List<string>> Read(byte[] rdb)
    {
        using var parser = new RdbParser<Collector>(new Collector(new Dictionary<string, List<string>>()));
        var status = parser.Parse(new ReadOnlySequence<byte>(rdb), true, out _, out _);
        Assert.Equal(RdbParseStatus.Completed, status);
        return parser.Handler.Result;
    }

    private sealed class Collector(Dictionary<string, List<string>> result) : IRdbHandler
    {
        private readonly Shake.Rdb.Values.RdbValueDecoder _decoder = new();
        public Dictionary<string, List<string>> Result => result;

        public bool OnEntry(in RdbEntry entry)
        {
            if (entry.LogicalType != RdbLogicalType.Hash) return true;
            var fields = new FieldCollector { Fields = [] };
            _decoder.Decode(entry.Type, entry.RawValue, entry.Magic, ref fields);
            if (fields.Fields.Count > 0) result[System.Text.Encoding.UTF8.GetString(entry.Key)] = fields.Fields;
            return true;
        }
    }

    private struct FieldCollector : Shake.Rdb.Values.IRdbValueVisitor
    {
        public List<string> Fields;
        public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs)
        {
            if (expireAtMs >= 0) Fields.Add(System.Text.Encoding.UTF8.GetString(field));
        }
        public void OnString(ReadOnlySpan<byte> value) { }
        public void OnListItem(ReadOnlySpan<byte> item) { }
        public void OnSetMember(ReadOnlySpan<byte> member) { }
        public void OnZSetMember(ReadOnlySpan<byte> member, double score) { }
        public void OnStreamEntry(Shake.Rdb.Values.StreamId id, int fieldCount) { }
        public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) { }
        public void OnStreamMetadata(in Shake.Rdb.Values.StreamMetadata metadata) { }
        public void OnStreamGroup(ReadOnlySpan<byte> name, Shake.Rdb.Values.StreamId lastDeliveredId, long entriesRead) { }
        public void OnStreamPendingEntry(Shake.Rdb.Values.StreamId id, long deliveryTimeMs, ulong deliveryCount) { }
        public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs) { }
        public void OnStreamConsumerPendingEntry(Shake.Rdb.Values.StreamId id) { }
        public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) { }
    }
}
