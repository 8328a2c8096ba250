using Shake.Core.Configuration;
using Shake.Core.Writers;
using Shake.Rdb;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Core.Conversion;

/// <summary>
/// Rewrites an RDB entry as the plain commands that build it on its own key, for a <c>[filter] function</c> to see:
/// <c>DEL key</c> under <c>rewrite</c>, the value's commands (SET, RPUSH, SADD, ZADD, HSET, XADD…, in batches that
/// respect the bulk limit), then <c>PEXPIREAT key ms</c>. Unlike <see cref="PlainCommandConverter"/> there is no
/// staging key (the script would see it), so a key that fails half-way stays half-written, and under
/// <c>panic</c>/<c>skip</c> an existing key is not detected. Module values are refused. Not thread-safe.
/// </summary>
internal sealed class InPlaceCommandConverter : IDisposable
{
    private readonly ConversionOptions _options;
    private readonly RdbValueDecoder _decoder = new();
    private readonly CommandBuilder _builder = new();
    private ValueCommandWriter _writer = new();
    private readonly StreamedValue _streamed = new();
    private byte[] _key = new byte[64];
    private int _keyLength;

    public InPlaceCommandConverter(ConversionOptions options) => _options = options;

    /// <summary>Writes the commands rebuilding <paramref name="entry"/> to <paramref name="sink"/>.</summary>
    public void Convert(in RdbEntry entry, IEntryCommandSink sink)
    {
        Begin(entry, sink);
        try
        {
            _decoder.Decode(entry.Type, entry.RawValue, entry.Magic, ref _writer);
            _writer.Finish();
        }
        catch (RdbFormatException e)
        {
            _writer.Abandon();
            throw new EntryConversionException($"key {KeyText.Format(entry.Key)} (db {entry.Db}): the value cannot be decoded: {e.Message}");
        }
        catch (EntryConversionException)
        {
            _writer.Abandon();
            throw;
        }
        Expire(sink, entry.ExpireAtMs);
    }

    /// <summary>Starts an entry whose elements arrive one by one; returns the visitor for them.</summary>
    public IRdbValueVisitor BeginStreaming(in RdbEntry entry, IEntryCommandSink sink)
    {
        Begin(entry, sink);
        _streamed.Begin(_writer, entry.Key, entry.LogicalType, entry.ExpireAtMs);
        return _streamed;
    }

    /// <summary>Ends the entry begun by <see cref="BeginStreaming"/>; throws when an element could not be written.</summary>
    public void EndStreaming(IEntryCommandSink sink)
    {
        if (_streamed.Failure is { } failure)
        {
            _writer.Abandon();
            throw failure;
        }
        _writer.Finish();
        Expire(sink, _streamed.ExpireAtMs);
    }

    private void Begin(in RdbEntry entry, IEntryCommandSink sink)
    {
        if (entry.LogicalType == RdbLogicalType.Module)
            throw new EntryConversionException($"key {KeyText.Format(entry.Key)} (db {entry.Db}) holds a module value, which only the module can write; it is not copied");
        if (_key.Length < entry.Key.Length) _key = new byte[Math.Max(entry.Key.Length, _key.Length * 2)];
        entry.Key.CopyTo(_key);
        _keyLength = entry.Key.Length;
        var what = $"key {KeyText.Format(entry.Key)} ({RdbTypeInfo.Name(entry.LogicalType)}, db {entry.Db})";
        var budget = Math.Max(1, Math.Min(_options.MaxCommandBytes, sink.ProtoMaxBulkLength));
        if (sink.Behavior == RestoreBehavior.Rewrite)
        {
            _builder.Clear();
            _builder.Add("DEL"u8);
            _builder.Add(entry.Key);
            sink.Write(_builder.Build());
        }
        _writer.Begin(sink, _key, _keyLength, sink.ProtoMaxBulkLength, budget, TargetCommands.HasHashFieldExpiry(sink.Info), what);
    }

    private void Expire(IEntryCommandSink sink, long expireAtMs)
    {
        if (expireAtMs < 0) return;
        _builder.Clear();
        _builder.Add("PEXPIREAT"u8);
        _builder.Add(_key.AsSpan(0, _keyLength));
        _builder.Add(expireAtMs);
        sink.Write(_builder.Build());
    }

    public void Dispose()
    {
        _decoder.Dispose();
        _builder.Dispose();
        _writer.Dispose();
    }
}
