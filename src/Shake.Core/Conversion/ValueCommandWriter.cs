using Shake.Core.Writers;
using Shake.Rdb.Values;

namespace Shake.Core.Conversion;

/// <summary>
/// Receives a decoded value element by element and writes the commands rebuilding it under the staging key:
/// SET, RPUSH, SADD, ZADD and HSET in batches, HPEXPIREAT for field expiries, and for streams XADD per entry, XSETID,
/// XGROUP CREATE / CREATECONSUMER and XCLAIM for the pending lists. Reused for every entry; not thread-safe.
/// </summary>
internal sealed class ValueCommandWriter : IRdbValueVisitor, IDisposable
{
    private static readonly byte[] Rpush = "RPUSH"u8.ToArray();
    private static readonly byte[] Sadd = "SADD"u8.ToArray();
    private static readonly byte[] Zadd = "ZADD"u8.ToArray();
    private static readonly byte[] Hset = "HSET"u8.ToArray();

    /// <summary>Group created to make an empty stream exist, then destroyed before the real groups are created.</summary>
    private static ReadOnlySpan<byte> PlaceholderGroup => "shake-converting"u8;

    /// <summary>Field expiries kept to be written together (fewer HPEXPIREAT commands) before they are written anyway.</summary>
    private const int MaxPendingFieldExpiries = 16 * 1024;

    /// <summary>Bytes of a streamed string sent per SET/APPEND command.</summary>
    private const int StringPartBytes = 1 << 20;

    private readonly ElementBatcher _batch = new();
    private readonly CommandBuilder _single = new();
    private readonly List<(long ExpireAtMs, byte[] Field)> _fieldExpiries = [];
    private readonly Dictionary<StreamId, (long DeliveryTimeMs, ulong DeliveryCount)> _groupPending = [];
    private IEntryCommandSink _sink = null!;
    private byte[] _staging = [];
    private int _stagingLength;
    private long _bulkLimit;
    private long _budget;
    private bool _fieldExpirySupported;
    private bool _batchStarted;
    private string _what = "";
    private int _streamFieldsLeft;
    private long _streamEntries;
    private byte[] _group = new byte[64];
    private int _groupLength;
    private byte[] _consumer = new byte[64];
    private int _consumerLength;
    private byte[]? _stringPart;
    private int _stringPartLength;
    private bool _stringStarted;

    /// <summary>Field expiries of the current entry that the target cannot hold.</summary>
    public int FieldExpiriesDropped { get; private set; }

    /// <summary>Module type id seen in the current entry, or 0.</summary>
    public ulong ModuleId { get; private set; }

    /// <summary>Commands written for the current entry.</summary>
    public int Commands { get; private set; }

    /// <summary>Prepares for one entry whose commands go to <paramref name="staging"/> (kept unchanged until <see cref="Finish"/>).</summary>
    public void Begin(IEntryCommandSink sink, byte[] staging, int stagingLength, long bulkLimit, long budget, bool fieldExpirySupported, string what)
    {
        _sink = sink;
        _staging = staging;
        _stagingLength = stagingLength;
        _bulkLimit = bulkLimit;
        _budget = budget;
        _fieldExpirySupported = fieldExpirySupported;
        _what = what;
        _batchStarted = false;
        _fieldExpiries.Clear();
        _groupPending.Clear();
        _streamFieldsLeft = 0;
        _streamEntries = 0;
        _groupLength = 0;
        _consumerLength = 0;
        _stringStarted = false;
        _stringPartLength = 0;
        FieldExpiriesDropped = 0;
        ModuleId = 0;
        Commands = 0;
        _single.Clear();
    }

    /// <summary>Writes what the last elements left in the batch, and the field expiries.</summary>
    public void Finish()
    {
        if (_stringPartLength > 0) WriteStringPart();
        ReleaseStringPart();
        if (_batchStarted) _batch.Flush();
        Commands += _batch.CommandsWritten;
        _batchStarted = false;
        if (_fieldExpiries.Count > 0) WriteFieldExpiries();
    }

    /// <summary>Drops whatever was being filled (the entry is abandoned).</summary>
    public void Abandon()
    {
        if (_batchStarted) Commands += _batch.CommandsWritten;
        _batch.Discard();
        _single.Clear();
        _batchStarted = false;
        _fieldExpiries.Clear();
        ReleaseStringPart();
    }

    public void OnString(ReadOnlySpan<byte> value)
    {
        if (value.Length > _bulkLimit)
            throw new EntryConversionException($"{_what}: the string of {value.Length} bytes exceeds the target's proto-max-bulk-len of {_bulkLimit} bytes (a string cannot be split)");
        StartSingle("SET"u8);
        _single.Add(value);
        WriteSingle();
    }

    /// <summary>
    /// A part of a string too large to hold: the parts are gathered into commands of up to 1 MB, the first a SET of the
    /// staging key, the others APPENDs, so the string is never held whole. A server keeps no string longer than its
    /// proto-max-bulk-len, so a longer one is refused before anything is written.
    /// </summary>
    public void OnStringPart(ReadOnlySpan<byte> part, long totalLength)
    {
        if (totalLength > _bulkLimit)
            throw new EntryConversionException($"{_what}: the string of {totalLength} bytes exceeds the target's proto-max-bulk-len of {_bulkLimit} bytes");
        _stringPart ??= System.Buffers.ArrayPool<byte>.Shared.Rent(StringPartBytes);
        while (!part.IsEmpty)
        {
            int n = Math.Min(part.Length, _stringPart.Length - _stringPartLength);
            part[..n].CopyTo(_stringPart.AsSpan(_stringPartLength));
            _stringPartLength += n;
            part = part[n..];
            if (_stringPartLength == _stringPart.Length) WriteStringPart();
        }
    }

    private void WriteStringPart()
    {
        StartSingle(_stringStarted ? "APPEND"u8 : "SET"u8);
        _single.Add(_stringPart.AsSpan(0, _stringPartLength));
        WriteSingle();
        _stringStarted = true;
        _stringPartLength = 0;
    }

    private void ReleaseStringPart()
    {
        if (_stringPart is not null) System.Buffers.ArrayPool<byte>.Shared.Return(_stringPart);
        _stringPart = null;
        _stringPartLength = 0;
    }

    public void OnListItem(ReadOnlySpan<byte> item)
    {
        CheckElement(item.Length, "list element");
        StartBatch(Rpush);
        _batch.Add(item);
    }

    public void OnSetMember(ReadOnlySpan<byte> member)
    {
        CheckElement(member.Length, "set member");
        StartBatch(Sadd);
        _batch.Add(member);
    }

    public void OnZSetMember(ReadOnlySpan<byte> member, double score)
    {
        CheckElement(member.Length, "sorted set member");
        StartBatch(Zadd);
        _batch.AddScored(score, member);
    }

    public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs)
    {
        CheckElement(field.Length, "hash field");
        CheckElement(value.Length, "hash value");
        StartBatch(Hset);
        _batch.Add(field, value);
        if (expireAtMs < 0) return;
        if (!_fieldExpirySupported)
        {
            FieldExpiriesDropped++;
            return;
        }
        _fieldExpiries.Add((expireAtMs, field.ToArray()));
        if (_fieldExpiries.Count < MaxPendingFieldExpiries) return;
        // A hash too large to hold arrives here field by field: its expiries must not pile up either. The fields they
        // name must exist first, so the batch being filled goes out before them.
        _batch.Flush();
        WriteFieldExpiries();
    }

    public void OnStreamEntry(StreamId id, int fieldCount)
    {
        if (fieldCount <= 0) throw new EntryConversionException($"{_what}: stream entry {id} has no fields, which XADD cannot write");
        StartSingle("XADD"u8);
        AddId(id);
        _streamFieldsLeft = fieldCount;
        _streamEntries++;
    }

    public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        CheckElement(field.Length, "stream field");
        CheckElement(value.Length, "stream value");
        _single.Add(field);
        _single.Add(value);
        if (--_streamFieldsLeft == 0) WriteSingle();
    }

    public void OnStreamMetadata(in StreamMetadata metadata)
    {
        if (_streamEntries == 0)
        {
            // XADD is what normally creates a stream; an empty one (all entries deleted, or made by MKSTREAM) needs a group.
            StartSingle("XGROUP"u8, "CREATE"u8);
            _single.Add(PlaceholderGroup);
            _single.Add("0"u8);
            _single.Add("MKSTREAM"u8);
            WriteSingle();
            StartSingle("XGROUP"u8, "DESTROY"u8);
            _single.Add(PlaceholderGroup);
            WriteSingle();
        }
        StartSingle("XSETID"u8);
        AddId(metadata.LastId);
        if (metadata.HasExtendedFields)
        {
            _single.Add("ENTRIESADDED"u8);
            _single.Add(metadata.EntriesAdded);
            _single.Add("MAXDELETEDID"u8);
            AddId(metadata.MaxDeletedId);
        }
        WriteSingle();
    }

    public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead)
    {
        CheckElement(name.Length, "consumer group name");
        Remember(name, ref _group, out _groupLength);
        _groupPending.Clear();
        StartSingle("XGROUP"u8, "CREATE"u8);
        _single.Add(name);
        AddId(lastDeliveredId);
        if (entriesRead >= 0)
        {
            _single.Add("ENTRIESREAD"u8);
            _single.Add(entriesRead);
        }
        WriteSingle();
    }

    public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) =>
        _groupPending[id] = (deliveryTimeMs, deliveryCount);

    public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs)
    {
        CheckElement(name.Length, "consumer name");
        Remember(name, ref _consumer, out _consumerLength);
        // Seen and active times cannot be set by any command: the target stamps them with the time of these commands.
        StartSingle("XGROUP"u8, "CREATECONSUMER"u8);
        _single.Add(_group.AsSpan(0, _groupLength));
        _single.Add(name);
        WriteSingle();
    }

    public void OnStreamConsumerPendingEntry(StreamId id)
    {
        // FORCE creates the pending entry in the group; JUSTID with RETRYCOUNT and TIME restores the delivery counter
        // and time instead of counting this as a new delivery. The entry must still exist in the stream.
        var (time, count) = _groupPending.TryGetValue(id, out var pending) ? pending : (-1L, 1UL);
        StartSingle("XCLAIM"u8);
        _single.Add(_group.AsSpan(0, _groupLength));
        _single.Add(_consumer.AsSpan(0, _consumerLength));
        _single.Add("0"u8);
        AddId(id);
        if (time >= 0)
        {
            _single.Add("TIME"u8);
            _single.Add(time);
        }
        _single.Add("RETRYCOUNT"u8);
        _single.Add(count);
        _single.Add("FORCE"u8);
        _single.Add("JUSTID"u8);
        WriteSingle();
    }

    public void OnModuleValue(ulong moduleId, System.Buffers.ReadOnlySequence<byte> data) => ModuleId = moduleId;

    private void CheckElement(int length, string what)
    {
        if (length > _bulkLimit)
            throw new EntryConversionException($"{_what}: a {what} of {length} bytes exceeds the target's proto-max-bulk-len of {_bulkLimit} bytes");
    }

    private void StartBatch(byte[] name)
    {
        if (_batchStarted) return;
        _batch.Begin(name, _staging, _stagingLength, _sink, _budget);
        _batchStarted = true;
    }

    private void StartSingle(ReadOnlySpan<byte> name)
    {
        _single.Clear();
        _single.Add(name);
        _single.Add(_staging.AsSpan(0, _stagingLength));
    }

    private void StartSingle(ReadOnlySpan<byte> name, ReadOnlySpan<byte> subcommand)
    {
        _single.Clear();
        _single.Add(name);
        _single.Add(subcommand);
        _single.Add(_staging.AsSpan(0, _stagingLength));
    }

    private void WriteSingle()
    {
        _sink.Write(_single.Build());
        Commands++;
    }

    private void AddId(StreamId id)
    {
        Span<byte> text = stackalloc byte[41];
        System.Buffers.Text.Utf8Formatter.TryFormat(id.Milliseconds, text, out var n);
        text[n++] = (byte)'-';
        System.Buffers.Text.Utf8Formatter.TryFormat(id.Sequence, text[n..], out var m);
        _single.Add(text[..(n + m)]);
    }

    private void WriteFieldExpiries()
    {
        // One HPEXPIREAT per expiry time, its fields split so each command stays within the budget.
        _fieldExpiries.Sort((a, b) => a.ExpireAtMs.CompareTo(b.ExpireAtMs));
        var start = 0;
        while (start < _fieldExpiries.Count)
        {
            var at = _fieldExpiries[start].ExpireAtMs;
            var end = start;
            long size = 0;
            while (end < _fieldExpiries.Count && _fieldExpiries[end].ExpireAtMs == at
                   && (end == start || size + CommandBuilder.EncodedSize(_fieldExpiries[end].Field.Length) <= _budget))
            {
                size += CommandBuilder.EncodedSize(_fieldExpiries[end].Field.Length);
                end++;
            }
            StartSingle("HPEXPIREAT"u8);
            _single.Add(at);
            _single.Add("FIELDS"u8);
            _single.Add(end - start);
            for (var i = start; i < end; i++) _single.Add(_fieldExpiries[i].Field);
            WriteSingle();
            start = end;
        }
        _fieldExpiries.Clear();
    }

    private static void Remember(ReadOnlySpan<byte> value, ref byte[] buffer, out int length)
    {
        if (buffer.Length < value.Length) buffer = new byte[Math.Max(value.Length, buffer.Length * 2)];
        value.CopyTo(buffer);
        length = value.Length;
    }

    public void Dispose()
    {
        ReleaseStringPart();
        _batch.Dispose();
        _single.Dispose();
    }
}
