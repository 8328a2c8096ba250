using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using Shake.Rdb;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Host.Commands.Rdb;

/// <summary><c>shake rdb json</c>: one JSON object per key (JSON Lines), values decoded element by element.</summary>
internal sealed class JsonLinesHandler : IRdbHandler, IDisposable
{
    private readonly IBufferWriter<byte> _output;
    private readonly Utf8JsonWriter _json;
    private readonly RdbValueDecoder _decoder = new();

    public JsonLinesHandler(IBufferWriter<byte> output)
    {
        _output = output;
        _json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }


    public bool OnEntry(in RdbEntry entry)
    {
        _json.WriteStartObject();
        _json.WriteNumber("db"u8, entry.Db);
        JsonBytes.Write(_json, "key"u8, entry.Key);
        _json.WriteString("type"u8, RdbTypeInfo.Name(entry.LogicalType));
        if (entry.ExpireAtMs >= 0) _json.WriteNumber("expire_at_ms"u8, entry.ExpireAtMs);
        else _json.WriteNull("expire_at_ms"u8);
        _json.WritePropertyName("value"u8);
        bool array = entry.LogicalType is RdbLogicalType.List or RdbLogicalType.Set or RdbLogicalType.ZSet or RdbLogicalType.Hash;
        if (array) _json.WriteStartArray();
        var visitor = new JsonValueVisitor(_json);
        try
        {
            _decoder.Decode(entry.Type, entry.RawValue, entry.Magic, ref visitor);
        }
        catch (RdbFormatException e)
        {
            // The decoder's offsets are relative to the value; name the key and point at the entry instead.
            throw new RdbFormatException(
                $"value of key {Printable.Of(entry.Key)} ({RdbTypeInfo.Name(entry.Type, entry.Magic)}) is corrupt at byte {e.Offset} of the value: {e.Reason}", entry.Offset);
        }
        visitor.Finish();
        if (array) _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        var newline = _output.GetSpan(1);
        newline[0] = (byte)'\n';
        _output.Advance(1);
        return true;
    }

    public void Dispose()
    {
        _json.Dispose();
        _decoder.Dispose();
    }
}
