using System.Buffers;
using Microsoft.Extensions.Logging;
using Shake.Core.Configuration;
using Shake.Core.Conversion;
using Shake.Core.Filters;
using Shake.Core.Writers;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Engine;

/// <summary>
/// Writes RDB entries when a <c>[filter] function</c> is configured: each entry becomes the commands that build it on
/// its key (<see cref="InPlaceCommandConverter"/>), each of those goes through the function, and what the function
/// emits is written as stream commands into the database it names (after the engine's database map). A key that
/// cannot be converted is counted as failed and named. One per applier; not thread-safe.
/// </summary>
internal sealed class FunctionEntryWriter : IEntryCommandSink, IDisposable
{
    private readonly ITargetWriter _writer;
    private readonly FilterPipeline _filters;
    private readonly IReadOnlyDictionary<int, int>? _databaseMap;
    private readonly EngineStatistics _statistics;
    private readonly ILogger _logger;
    private readonly InPlaceCommandConverter _converter = new(new ConversionOptions());
    private readonly ArrayBufferWriter<byte> _encoded = new(256);
    private readonly List<ReadOnlySequence<byte>> _arguments = new(16);
    private byte[] _largeKey = [];
    private int _db;

    public FunctionEntryWriter(ITargetWriter writer, FilterPipeline filters, IReadOnlyDictionary<int, int>? databaseMap, EngineStatistics statistics, ILogger logger)
    {
        _writer = writer;
        _filters = filters;
        _databaseMap = databaseMap;
        _statistics = statistics;
        _logger = logger;
    }

    public TargetInfo Info => _writer.Info;

    public long ProtoMaxBulkLength => _writer.Info.ProtoMaxBulkLength;

    public RestoreBehavior Behavior => _writer.Behavior;

    /// <summary>Writes <paramref name="entry"/> as seen from source database <paramref name="db"/> (after the filter lists).</summary>
    public void Write(in RdbEntry entry, int db)
    {
        _db = db;
        try
        {
            _converter.Convert(entry, this);
        }
        catch (EntryConversionException e)
        {
            Failed(entry.Key, entry.Db, e.Message);
        }
    }

    /// <summary>Starts an entry too large to hold; returns the visitor for its elements, or null when it cannot be written.</summary>
    public IRdbValueVisitor? BeginLarge(in RdbEntry entry, int db)
    {
        _db = db;
        _largeKey = entry.Key.ToArray();
        try
        {
            return _converter.BeginStreaming(entry, this);
        }
        catch (EntryConversionException e)
        {
            Failed(entry.Key, entry.Db, e.Message);
            return null;
        }
    }

    /// <summary>Ends the entry begun by <see cref="BeginLarge"/>.</summary>
    public void EndLarge()
    {
        try
        {
            _converter.EndStreaming(this);
        }
        catch (EntryConversionException e)
        {
            Failed(_largeKey, _db, e.Message);
        }
    }

    public void Write<TCommand>(TCommand command) where TCommand : IRespCommand
    {
        _encoded.Clear();
        command.WriteTo(_encoded);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_encoded.WrittenMemory));
        if (!RespReader.TryReadCommand(ref reader, _arguments))
            throw new InvalidOperationException("a converted command did not read back as one command");
        foreach (var emitted in _filters.RunFunction(_arguments, _db))
        {
            var db = _databaseMap is not null && _databaseMap.TryGetValue(emitted.Db, out var mapped) ? mapped : emitted.Db;
            _writer.WriteStreamCommand(new ReadOnlySequence<byte>(emitted.Encoded), db, 0);
        }
    }

    public void WriteFinal<TCommand>(TCommand command) where TCommand : IRespCommand => Write(command);

    private void Failed(ReadOnlySpan<byte> key, int db, string reason)
    {
        _statistics.KeyFailed(key, db, reason);
        _logger.LogError("{Reason}; the key is not written (whatever was written of it stays)", reason);
    }

    public void Dispose() => _converter.Dispose();
}
