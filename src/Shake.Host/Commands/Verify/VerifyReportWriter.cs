using System.Buffers;
using System.Text;
using System.Text.Json;
using Shake.Core.Verification.Model;

namespace Shake.Host.Commands.Verify;

/// <summary>
/// Writes the differences of a verification as JSON lines, one object per key:
/// <c>{"db":0,"target_db":0,"key":"k","kind":"missing","source":{"type":"hash","ttl_ms":-1,"length":3},"target":{…}}</c>.
/// <c>ttl_ms</c> is the time left at writing (-1 no expiry, -2 no key); keys that are not UTF-8 also carry <c>key_base64</c>.
/// </summary>
public static class VerifyReportWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="differences"/> to <paramref name="path"/> (an empty file when there are none).</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<KeyDifference> differences, CancellationToken cancellation)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var buffer = new ArrayBufferWriter<byte>(4096);
        foreach (var difference in differences)
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer))
                Write(json, difference, now);
            buffer.Write("\n"u8);
            await file.WriteAsync(buffer.WrittenMemory, cancellation);
        }
    }

    /// <summary>Writes one difference as a JSON object.</summary>
    public static void Write(Utf8JsonWriter json, KeyDifference difference, long nowMs)
    {
        json.WriteStartObject();
        json.WriteNumber("db", difference.SourceDb);
        json.WriteNumber("target_db", difference.TargetDb);
        if (TryUtf8(difference.Key, out var text)) json.WriteString("key", text);
        else
        {
            json.WriteString("key", Encoding.Latin1.GetString(difference.Key));
            json.WriteBase64String("key_base64", difference.Key);
        }
        json.WriteString("kind", difference.Kind.Name());
        Side(json, "source", difference.Source, difference.SourceLength, nowMs);
        Side(json, "target", difference.Target, difference.TargetLength, nowMs);
        json.WriteEndObject();
    }

    private static void Side(Utf8JsonWriter json, string name, KeyState state, long length, long nowMs)
    {
        json.WriteStartObject(name);
        json.WriteString("type", state.Type.Name());
        json.WriteNumber("ttl_ms", !state.Exists ? -2 : state.HasExpiry ? Math.Max(0, state.ExpireAtMs - nowMs) : -1);
        if (state.HasExpiry) json.WriteNumber("expire_at_ms", state.ExpireAtMs);
        json.WriteNumber("length", length);
        json.WriteEndObject();
    }

    private static bool TryUtf8(byte[] key, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(key);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
