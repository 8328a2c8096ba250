using System.Buffers;
using System.Text.Json;
using Shake.Rdb.Values;

namespace Shake.Host.Commands.Rdb;

/// <summary>
/// Streams one decoded value into JSON as the elements arrive: string → string, list/set → array,
/// zset → [[member, score]...], hash → [[field, value]...] (with a third item, the expiry in ms, for fields that have one),
/// stream → {entries, length, last_id, ..., groups}, module → {module_id, base64}.
/// </summary>
internal sealed class JsonValueVisitor : IRdbValueVisitor
{
    private readonly Utf8JsonWriter _json;
    private bool _inEntry;
    private bool _inGroup;
    private bool _inConsumer;
    private bool _groupsOpen;
    private bool _streamOpen;

    public JsonValueVisitor(Utf8JsonWriter json) => _json = json;

    public void OnString(ReadOnlySpan<byte> value) => JsonBytes.Write(_json, value);
    public void OnListItem(ReadOnlySpan<byte> item) => JsonBytes.Write(_json, item);
    public void OnSetMember(ReadOnlySpan<byte> member) => JsonBytes.Write(_json, member);

    public void OnZSetMember(ReadOnlySpan<byte> member, double score)
    {
        _json.WriteStartArray();
        JsonBytes.Write(_json, member);
        if (double.IsFinite(score)) _json.WriteNumberValue(score);
        else _json.WriteStringValue(double.IsNaN(score) ? "nan" : score > 0 ? "inf" : "-inf");
        _json.WriteEndArray();
    }

    public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs)
    {
        _json.WriteStartArray();
        JsonBytes.Write(_json, field);
        JsonBytes.Write(_json, value);
        if (expireAtMs >= 0) _json.WriteNumberValue(expireAtMs);
        _json.WriteEndArray();
    }

    /// <summary>Streams are objects; the caller opens nothing for them, the visitor does on the first callback.</summary>
    private void OpenStream()
    {
        if (_streamOpen) return;
        _streamOpen = true;
        _json.WriteStartObject();
        _json.WriteStartArray("entries"u8);
    }

    public void OnStreamEntry(StreamId id, int fieldCount)
    {
        OpenStream();
        CloseEntry();
        _json.WriteStartObject();
        _json.WriteString("id"u8, id.ToString());
        _json.WriteStartArray("fields"u8);
        _inEntry = true;
    }

    private void CloseEntry()
    {
        if (!_inEntry) return;
        _json.WriteEndArray();
        _json.WriteEndObject();
        _inEntry = false;
    }

    public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        _json.WriteStartArray();
        JsonBytes.Write(_json, field);
        JsonBytes.Write(_json, value);
        _json.WriteEndArray();
    }

    public void OnStreamMetadata(in StreamMetadata metadata)
    {
        OpenStream();
        CloseEntry();
        _json.WriteEndArray();
        _json.WriteNumber("length"u8, metadata.Length);
        _json.WriteString("last_id"u8, metadata.LastId.ToString());
        if (metadata.HasExtendedFields)
        {
            _json.WriteString("first_id"u8, metadata.FirstId.ToString());
            _json.WriteString("max_deleted_id"u8, metadata.MaxDeletedId.ToString());
            _json.WriteNumber("entries_added"u8, metadata.EntriesAdded);
        }
        _json.WriteStartArray("groups"u8);
        _groupsOpen = true;
    }

    public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead)
    {
        CloseGroup();
        _json.WriteStartObject();
        JsonBytes.Write(_json, "name"u8, name);
        _json.WriteString("last_delivered_id"u8, lastDeliveredId.ToString());
        if (entriesRead >= 0) _json.WriteNumber("entries_read"u8, entriesRead);
        else _json.WriteNull("entries_read"u8);
        _json.WriteStartArray("pending"u8);
        _inGroup = true;
    }

    public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount)
    {
        _json.WriteStartObject();
        _json.WriteString("id"u8, id.ToString());
        _json.WriteNumber("delivery_time_ms"u8, deliveryTimeMs);
        _json.WriteNumber("delivery_count"u8, deliveryCount);
        _json.WriteEndObject();
    }

    public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs)
    {
        if (!_inConsumer)
        {
            if (!_consumersOpen)
            {
                _json.WriteEndArray(); // pending
                _json.WriteStartArray("consumers"u8);
                _consumersOpen = true;
            }
        }
        else
        {
            _json.WriteEndArray();
            _json.WriteEndObject();
        }
        _json.WriteStartObject();
        JsonBytes.Write(_json, "name"u8, name);
        _json.WriteNumber("seen_time_ms"u8, seenTimeMs);
        if (activeTimeMs >= 0) _json.WriteNumber("active_time_ms"u8, activeTimeMs);
        _json.WriteStartArray("pending"u8);
        _inConsumer = true;
    }

    private bool _consumersOpen;

    public void OnStreamConsumerPendingEntry(StreamId id) => _json.WriteStringValue(id.ToString());

    private void CloseGroup()
    {
        if (!_inGroup) return;
        if (_inConsumer)
        {
            _json.WriteEndArray();
            _json.WriteEndObject();
            _inConsumer = false;
        }
        if (_consumersOpen) _json.WriteEndArray();
        else
        {
            _json.WriteEndArray(); // pending
            _json.WriteStartArray("consumers"u8);
            _json.WriteEndArray();
        }
        _consumersOpen = false;
        _json.WriteEndObject();
        _inGroup = false;
    }

    /// <summary>Closes what a stream value left open (the caller calls this after decoding a stream).</summary>
    public void Finish()
    {
        if (!_streamOpen) return;
        CloseGroup();
        if (_groupsOpen) _json.WriteEndArray();
        _json.WriteEndObject();
    }

    public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data)
    {
        _json.WriteStartObject();
        _json.WriteNumber("module_id"u8, moduleId);
        _json.WriteBase64String("base64"u8, data.ToArray());
        _json.WriteEndObject();
    }
}
