using System.Text.Json;
using System.Text.Unicode;

namespace Shake.Host.Commands.Rdb;

/// <summary>
/// Writes Redis byte strings into JSON losslessly: valid UTF-8 as a JSON string, anything else as
/// <c>{"base64": "..."}</c> (JSON strings cannot carry arbitrary bytes).
/// </summary>
internal static class JsonBytes
{
    public static void Write(Utf8JsonWriter json, ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            json.WriteStringValue(bytes);
            return;
        }
        json.WriteStartObject();
        json.WriteBase64String("base64"u8, bytes);
        json.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter json, ReadOnlySpan<byte> propertyName, ReadOnlySpan<byte> bytes)
    {
        json.WritePropertyName(propertyName);
        Write(json, bytes);
    }
}
