using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging;
using Shake.Core.Filters;
using Shake.Core.Writers;
using Shake.Rdb;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Validation;
using Shake.Rdb.Values;

namespace Shake.Core.Engine;

/// <summary>
/// Parses an RDB as it arrives and hands each entry to the <see cref="ITargetWriter"/> while later bytes are still
/// coming: expired keys are skipped and counted, databases mapped, functions and old Lua scripts loaded. The parser
/// is paused (the handler stops it) whenever the writer's window is full, and resumed once the queued writes are in
/// the pipeline, so pipe buffers are released only after the RESTOREs pointing into them were written.
/// </summary>
public sealed class RdbApplier : IDisposable, IAsyncDisposable
{
    private readonly ITargetWriter _writer;
    private readonly EngineStatistics _statistics;
    private readonly ILogger _logger;
    private readonly IReadOnlyDictionary<int, int>? _databaseMap;
    private readonly bool _apply;
    private readonly List<(bool IsFunction, string Code)> _deferred = [];
    private bool _moduleAuxReported;
    private readonly FilterPipeline? _filters;
    private readonly ValueValidation _validation;
    private RdbValueValidator? _validator;
    private readonly long _largeValueThreshold;
    private bool _writingLargeEntry;
    private readonly FunctionEntryWriter? _functionEntries;

    /// <summary>
    /// Creates an applier; with <paramref name="apply"/> false the RDB is only read (v4 <c>sync_rdb = false</c>).
    /// <paramref name="filters"/> decide per entry whether it is written and to which database (before the database map).
    /// <paramref name="validation"/> decides whether each value is deep-validated just before it is written and what a
    /// corrupt one does: refused and named as a failed key (<see cref="EngineStatistics.FailedKeys"/>), or the end of
    /// the run with an error naming it, after the keys before it were sent.
    /// A collection of which more than <paramref name="largeValueThreshold"/> bytes would have to be held is written
    /// element by element as it arrives instead (<see cref="ITargetWriter.BeginLargeEntry"/>).
    /// </summary>
    public RdbApplier(ITargetWriter writer, EngineStatistics statistics, ILogger logger, IReadOnlyDictionary<int, int>? databaseMap, bool apply = true, FilterPipeline? filters = null,
        ValueValidation validation = ValueValidation.Off, long largeValueThreshold = EngineOptions.DefaultLargeValueThresholdBytes)
    {
        _validation = validation;
        _largeValueThreshold = largeValueThreshold;
        _filters = filters;
        if (filters?.Function is not null) _functionEntries = new FunctionEntryWriter(writer, filters, databaseMap, statistics, logger);
        _writer = writer;
        _statistics = statistics;
        _logger = logger;
        _databaseMap = databaseMap;
        _apply = apply;
    }

    /// <summary>
    /// Set for an engine of a cluster source that started after the others (a new shard, or a restart): every key of
    /// its snapshot is recorded as this shard's, so another shard's DEL of it is taken for a migration's.
    /// </summary>
    public Cluster.MigrationFilter? Migrations { get; init; }

    /// <summary>Keys starting with these bytes are not written (checkpoint keys of syncs into this source); null writes every key.</summary>
    public byte[]? SkipKeyPrefix { get; init; }

    /// <summary>RDB version of the snapshot, once its header was read.</summary>
    public int RdbVersion { get; private set; }

    /// <summary>Whether the end-of-file checksum was present and verified.</summary>
    public (bool Present, bool Verified) Checksum { get; private set; }

    /// <summary>
    /// Reads one RDB from <paramref name="input"/>: exactly <paramref name="length"/> bytes when it is known (a disk
    /// transfer), else up to its end marker. Bytes after the RDB are left in the reader. Returns the bytes read.
    /// </summary>
    public async Task<long> ApplyAsync(PipeReader input, long length, string origin, CancellationToken cancellation)
    {
        var options = new RdbParserOptions { ValidateValues = _validation == ValueValidation.StopRun, LargeValueThreshold = _largeValueThreshold };
        using var parser = new RdbParser<Handler>(new Handler(this), options);
        using var validator = _validator = _validation == ValueValidation.RefuseKey ? new RdbValueValidator() : null;
        var remaining = length;
        long total = 0;
        while (true)
        {
            var result = await input.ReadAsync(cancellation);
            var buffer = result.Buffer;
            if (remaining >= 0 && buffer.Length > remaining) buffer = buffer.Slice(0, remaining);
            var final = remaining >= 0 ? buffer.Length == remaining || result.IsCompleted : result.IsCompleted;
            RdbParseStatus status;
            SequencePosition consumed, examined;
            try
            {
                status = parser.Parse(buffer, final, out consumed, out examined);
            }
            catch (RdbFormatException e)
            {
                // Entries before the bad one were handed to the writer: send them, so exactly the good prefix is written.
                await _writer.WaitForBacklogAsync();
                SendDeferred();
                await _writer.FlushAsync(cancellation);
                throw new InvalidDataException($"the RDB from {origin} is invalid: {e.Message}", e);
            }
            // Entries written during Parse may still point into this buffer: they must reach the pipeline first. Then
            // send them: the target starts on this batch while the next one is parsed.
            await _writer.WaitForBacklogAsync();
            SendDeferred();
            await _writer.FlushAsync(cancellation);
            var used = buffer.Slice(0, consumed).Length;
            total += used;
            if (remaining >= 0) remaining -= used;
            _statistics.AddRdbBytes(used);
            if (status == RdbParseStatus.Stopped) input.AdvanceTo(consumed);
            else input.AdvanceTo(consumed, examined);
            if (_writer.Failure.IsFaulted) await _writer.Failure;
            if (status == RdbParseStatus.Completed) break;
            if (status == RdbParseStatus.NeedMoreData && result.IsCompleted)
                throw new InvalidDataException($"the RDB from {origin} ended early, while the parser expected {parser.Expecting}");
        }
        if (remaining > 0)
            throw new InvalidDataException($"the RDB from {origin} ended at byte {total} but the transfer announced {length} bytes");
        return total;
    }

    private void SendDeferred()
    {
        if (_deferred.Count == 0) return;
        foreach (var (isFunction, code) in _deferred)
        {
            if (isFunction) _writer.LoadFunction(code);
            else _writer.LoadScript(code);
        }
        _deferred.Clear();
    }

    private int? TargetDb(int db)
    {
        if (_databaseMap is null) return db;
        return _databaseMap.TryGetValue(db, out var mapped) ? mapped : db;
    }

    private bool OnEntry(in RdbEntry entry)
    {
        if (!_apply) return true;
        if (entry.ExpireAtMs >= 0 && entry.ExpireAtMs <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
        {
            _statistics.KeySkippedExpired();
            return true;
        }
        if (SkipKeyPrefix is not null && entry.Key.StartsWith(SkipKeyPrefix))
        {
            _statistics.CheckpointKeySkipped();
            return true;
        }
        var sourceDb = entry.Db;
        if (_filters is not null && !_filters.TryPassEntry(entry, out sourceDb)) return true;
        var db = TargetDb(sourceDb);
        if (db is null) return true;
        if (_validator is not null && !_validator.TryValidate(entry, out var error))
        {
            _statistics.KeyFailed(entry.Key, entry.Db, error!);
            _logger.LogError("{Error}; the key is not written", error);
            return true;
        }
        if (_functionEntries is not null)
        {
            // The function sees commands, and maps databases itself: the map applies to what it emits.
            _functionEntries.Write(entry, sourceDb);
        }
        else if (Migrations is null)
        {
            _writer.WriteEntry(entry, db.Value);
        }
        else
        {
            // A shard that joined late may hold keys a migration moved in: the old owner's later DEL of them must be dropped.
            lock (Migrations.Gate)
            {
                Migrations.Owned(entry.Key);
                _writer.WriteEntry(entry, db.Value);
            }
        }
        return !_writer.HasBacklog && !_writer.Failure.IsCompleted;
    }

    private IRdbValueVisitor? OnLargeEntryStart(in RdbEntry entry)
    {
        if (!_apply) return null;
        if (entry.ExpireAtMs >= 0 && entry.ExpireAtMs <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
        {
            _statistics.KeySkippedExpired();
            return null;
        }
        if (SkipKeyPrefix is not null && entry.Key.StartsWith(SkipKeyPrefix)) return null;
        var sourceDb = entry.Db;
        if (_filters is not null && !_filters.TryPassEntry(entry, out sourceDb)) return null;
        var db = TargetDb(sourceDb);
        if (db is null) return null;
        _logger.LogInformation("key {Key} (db {Db}) is larger than {Threshold}: written {How} as it arrives", KeyText.Format(entry.Key), entry.Db,
            _largeValueThreshold >= 1 << 20 ? $"{_largeValueThreshold >> 20} MB" : $"{_largeValueThreshold >> 10} KB",
            entry.LogicalType == RdbLogicalType.String ? "in parts (SET, then APPEND)" : "element by element");
        var visitor = _functionEntries is not null ? _functionEntries.BeginLarge(entry, sourceDb) : _writer.BeginLargeEntry(entry, db.Value);
        _writingLargeEntry = visitor is not null;
        return visitor;
    }

    private bool OnLargeEntryEnd()
    {
        if (_writingLargeEntry)
        {
            if (_functionEntries is not null) _functionEntries.EndLarge();
            else _writer.EndLargeEntry();
        }
        _writingLargeEntry = false;
        return !_writer.HasBacklog && !_writer.Failure.IsCompleted;
    }

    private void OnAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_apply && key.SequenceEqual("lua"u8)) _deferred.Add((false, Encoding.UTF8.GetString(value)));
    }

    private void OnFunction(ReadOnlySpan<byte> code)
    {
        if (_apply) _deferred.Add((true, Encoding.UTF8.GetString(code)));
    }

    private void OnModuleAux(ulong moduleId)
    {
        if (_moduleAuxReported) return;
        _moduleAuxReported = true;
        _logger.LogWarning("the RDB holds module auxiliary data (module id {ModuleId}); it is not applied to the target", moduleId);
    }

    /// <summary>The same as <see cref="Dispose"/>: what it holds is released at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Returns the buffers of the <c>[filter] function</c>'s entry conversion, if any.</summary>
    public void Dispose() => _functionEntries?.Dispose();

    // A struct handler makes the parser's calls direct; it only forwards to the applier.
    private readonly struct Handler(RdbApplier applier) : IRdbHandler
    {
        public void OnHeader(int version, RdbMagicKind magic) => applier.RdbVersion = version;

        public void OnAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => applier.OnAux(key, value);

        public void OnSelectDb(int db)
        {
        }

        public void OnResizeDb(ulong keys, ulong expires)
        {
        }

        public void OnFunction(ReadOnlySpan<byte> code) => applier.OnFunction(code);

        public void OnModuleAux(ulong moduleId, in ReadOnlySequence<byte> raw) => applier.OnModuleAux(moduleId);

        public bool OnEntry(in RdbEntry entry) => applier.OnEntry(entry);

        public IRdbValueVisitor? OnLargeEntryStart(in RdbEntry entry) => applier.OnLargeEntryStart(entry);

        public bool OnLargeEntryEnd() => applier.OnLargeEntryEnd();

        public void OnEnd(bool checksumPresent, bool checksumVerified) => applier.Checksum = (checksumPresent, checksumVerified);
    }
}
