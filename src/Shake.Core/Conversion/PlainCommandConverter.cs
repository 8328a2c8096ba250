using Shake.Core.Configuration;
using Microsoft.Extensions.Logging;
using Shake.Core.Writers;
using Shake.Rdb;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Core.Conversion;

/// <summary>
/// Rewrites an RDB entry as plain commands for targets that cannot take its RESTORE payload. The value is built
/// under a staging key (<see cref="StagingKey"/>): <c>DEL staging</c>, the value's commands in batches that respect
/// the bulk limit, <c>PEXPIREAT</c>, then <c>RENAME staging key</c> under <c>rewrite</c> or <c>RENAMENX staging key</c>
/// (whose 0 reply is the writer's "key exists", like RESTORE's BUSYKEY) followed by <c>DEL staging</c> under
/// <c>panic</c>/<c>skip</c>. So an existing key is only ever replaced atomically, never merged with or half-written.
/// Module values, and elements over the bulk limit, are refused with an <see cref="EntryConversionException"/>
/// naming key and type; hash field expiries a target cannot hold are logged as a warning naming the key.
/// A value too large to hold (see <see cref="IStreamingEntryConverter"/>) takes the same path, its elements arriving
/// one by one. One instance per writer: not thread-safe.
/// </summary>
public sealed class PlainCommandConverter : IStreamingEntryConverter, IDisposable, IAsyncDisposable
{
    private readonly ConversionOptions _options;
    private readonly ILogger _logger;
    private readonly RdbValueDecoder _decoder = new();
    private readonly CommandBuilder _builder = new();
    private ValueCommandWriter _writer = new();
    private readonly StreamedValue _streamed = new();
    private byte[] _staging = new byte[256];
    private int _stagingLength;
    private string _what = "";

    /// <summary>Creates a converter.</summary>
    public PlainCommandConverter(ConversionOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>Entries written as commands so far.</summary>
    public long EntriesConverted { get; private set; }

    /// <summary>Commands written so far, the final RENAME/RENAMENX included.</summary>
    public long CommandsWritten { get; private set; }

    /// <summary>Hash field expiries left out because the target has no <c>HPEXPIREAT</c> (each reported by key).</summary>
    public long FieldExpiriesDropped { get; private set; }

    /// <inheritdoc />
    public void Convert(in RdbEntry entry, IEntryCommandSink sink)
    {
        if (entry.LogicalType == RdbLogicalType.Module) throw ModuleValue(entry);
        var staging = Begin(entry, sink);
        long elements;
        try
        {
            elements = _decoder.Decode(entry.Type, entry.RawValue, entry.Magic, ref _writer);
            _writer.Finish();
        }
        catch (Exception e) when (e is EntryConversionException or RdbFormatException)
        {
            Abandon(sink, staging);
            if (e is EntryConversionException) throw;
            throw new EntryConversionException($"{_what}: the value cannot be decoded: {e.Message}");
        }
        Complete(sink, entry.Key, staging, entry.LogicalType, entry.ExpireAtMs, elements);
    }

    /// <inheritdoc />
    public IRdbValueVisitor BeginStreaming(in RdbEntry entry, IEntryCommandSink sink)
    {
        if (entry.LogicalType == RdbLogicalType.Module) throw ModuleValue(entry);
        Begin(entry, sink);
        _streamed.Begin(_writer, entry.Key, entry.LogicalType, entry.ExpireAtMs);
        return _streamed;
    }

    /// <inheritdoc />
    public void EndStreaming(IEntryCommandSink sink)
    {
        var staging = _staging.AsSpan(0, _stagingLength);
        if (_streamed.Failure is { } failure)
        {
            Abandon(sink, staging);
            throw failure;
        }
        _writer.Finish();
        Complete(sink, _streamed.Key, staging, _streamed.LogicalType, _streamed.ExpireAtMs, _streamed.Elements);
    }

    // DEL of the staging key, then the value writer ready for its elements; returns the staging name.
    private ReadOnlySpan<byte> Begin(in RdbEntry entry, IEntryCommandSink sink)
    {
        var key = entry.Key;
        if (_staging.Length < StagingKey.MaxLength(key.Length)) _staging = new byte[StagingKey.MaxLength(key.Length) * 2];
        _stagingLength = StagingKey.Write(key, _staging);
        var staging = _staging.AsSpan(0, _stagingLength);
        _what = $"key {KeyText.Format(key)} ({RdbTypeInfo.Name(entry.LogicalType)}, db {entry.Db})";
        var budget = Math.Max(1, Math.Min(_options.MaxCommandBytes, sink.ProtoMaxBulkLength));
        var fieldExpiry = TargetCommands.HasHashFieldExpiry(sink.Info);

        // Whatever an interrupted earlier run may have left under the staging name must not be merged into the value.
        Write(sink, "DEL"u8, staging);
        _writer.Begin(sink, _staging, _stagingLength, sink.ProtoMaxBulkLength, budget, fieldExpiry, _what);
        return staging;
    }

    private void Abandon(IEntryCommandSink sink, ReadOnlySpan<byte> staging)
    {
        _writer.Abandon();
        Write(sink, "DEL"u8, staging);
        CommandsWritten += _writer.Commands + 2;
    }

    // After the last element: field expiries dropped are reported, then PEXPIREAT and the RENAME(NX) onto the key.
    private void Complete(IEntryCommandSink sink, ReadOnlySpan<byte> key, ReadOnlySpan<byte> staging, RdbLogicalType type, long expireAtMs, long elements)
    {
        CommandsWritten += _writer.Commands + 1;
        if (_writer.FieldExpiriesDropped > 0)
        {
            FieldExpiriesDropped += _writer.FieldExpiriesDropped;
            _logger.LogWarning("{What}: {Count} hash field expiries not carried over: the target {Server} {Version} has no HPEXPIREAT (the fields are kept without expiry)",
                _what, _writer.FieldExpiriesDropped, sink.Info.ServerName, sink.Info.Version);
        }

        if (elements == 0 && type != RdbLogicalType.Stream)
        {
            // Servers drop empty collections when loading an RDB; there is nothing to create.
            _builder.Add("PING"u8);
            sink.WriteFinal(_builder.Build());
            CommandsWritten++;
            EntriesConverted++;
            return;
        }
        if (expireAtMs >= 0)
        {
            _builder.Add("PEXPIREAT"u8);
            _builder.Add(staging);
            _builder.Add(expireAtMs);
            sink.Write(_builder.Build());
            CommandsWritten++;
        }
        // RENAME carries the value and its expiry (key and hash field TTLs) over in one step.
        var replace = sink.Behavior == RestoreBehavior.Rewrite;
        _builder.Add(replace ? "RENAME"u8 : "RENAMENX"u8);
        _builder.Add(staging);
        _builder.Add(key);
        sink.WriteFinal(_builder.Build());
        CommandsWritten++;
        if (!replace)
        {
            // Left behind only when RENAMENX found the key taken.
            Write(sink, "DEL"u8, staging);
            CommandsWritten++;
        }
        EntriesConverted++;
    }

    private void Write(IEntryCommandSink sink, ReadOnlySpan<byte> name, ReadOnlySpan<byte> key)
    {
        _builder.Clear();
        _builder.Add(name);
        _builder.Add(key);
        sink.Write(_builder.Build());
    }

    private EntryConversionException ModuleValue(in RdbEntry entry)
    {
        var probe = new ModuleIdProbe();
        try
        {
            _decoder.Decode(entry.Type, entry.RawValue, entry.Magic, ref probe);
        }
        catch (RdbFormatException)
        {
            // The type name is a courtesy; the key is reported either way.
        }
        var type = probe.ModuleId == 0 ? "unknown module type" : $"module type {ModuleTypeName.Name(probe.ModuleId)} (encoding version {ModuleTypeName.EncodingVersion(probe.ModuleId)})";
        return new EntryConversionException($"key {KeyText.Format(entry.Key)} (db {entry.Db}) holds a value of {type}, which only the module can write; it is not copied");
    }

    /// <summary>The same as <see cref="Dispose"/>: what it holds is released at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        _decoder.Dispose();
        _builder.Dispose();
        _writer.Dispose();
    }

    private struct ModuleIdProbe : IRdbValueVisitor
    {
        public ulong ModuleId;

        public void OnModuleValue(ulong moduleId, System.Buffers.ReadOnlySequence<byte> data) => ModuleId = moduleId;
        public void OnString(ReadOnlySpan<byte> value) { }
        public void OnListItem(ReadOnlySpan<byte> item) { }
        public void OnSetMember(ReadOnlySpan<byte> member) { }
        public void OnZSetMember(ReadOnlySpan<byte> member, double score) { }
        public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs) { }
        public void OnStreamEntry(StreamId id, int fieldCount) { }
        public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value) { }
        public void OnStreamMetadata(in StreamMetadata metadata) { }
        public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead) { }
        public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) { }
        public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs) { }
        public void OnStreamConsumerPendingEntry(StreamId id) { }
    }
}
