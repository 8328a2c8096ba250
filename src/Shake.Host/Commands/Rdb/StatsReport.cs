using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Shake.Rdb.Format;

namespace Shake.Host.Commands.Rdb;

/// <summary>Prints <see cref="StatsHandler"/> results as text or as one JSON object.</summary>
internal static class StatsReport
{
    public static void WriteJson(StatsHandler s, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("rdb_version", s.Version);
        json.WriteString("magic", s.Magic == RdbMagicKind.Valkey ? "VALKEY" : "REDIS");
        json.WriteNumber("keys", s.Keys);
        json.WriteNumber("bytes", s.Bytes);
        json.WriteBoolean("checksum_verified", s.ChecksumVerified);
        json.WriteStartObject("types");
        WriteCounters(json, s.PerType);
        json.WriteEndObject();
        json.WriteStartArray("dbs");
        foreach (var (db, types) in s.PerDb)
        {
            json.WriteStartObject();
            json.WriteNumber("db", db);
            json.WriteNumber("keys", types.Values.Sum(c => c.Keys));
            json.WriteNumber("bytes", types.Values.Sum(c => c.Bytes));
            json.WriteStartObject("types");
            WriteCounters(json, types);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("encodings");
        foreach (var (name, count) in s.Encodings) json.WriteNumber(name, count);
        json.WriteEndObject();
        json.WriteStartArray("biggest");
        foreach (var big in s.Biggest)
        {
            json.WriteStartObject();
            json.WriteNumber("db", big.Db);
            JsonBytes.Write(json, "key"u8, big.Key);
            json.WriteString("type", RdbTypeInfo.Name(big.Type));
            json.WriteString("encoding", big.Encoding);
            json.WriteNumber("bytes", big.Bytes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("expiry");
        json.WriteNumber("none", s.NoExpiry);
        json.WriteNumber("already_expired", s.AlreadyExpired);
        for (int i = 0; i < StatsHandler.ExpiryBuckets.Length; i++) json.WriteNumber(StatsHandler.ExpiryBuckets[i].Name, s.ExpiryHistogram[i]);
        json.WriteEndObject();
        json.WriteStartArray("functions");
        foreach (var f in s.Functions) json.WriteStringValue(f);
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.Write("\n"u8);
    }

    private static void WriteCounters(Utf8JsonWriter json, Dictionary<RdbLogicalType, StatsHandler.Counter> counters)
    {
        foreach (var (type, c) in counters.OrderBy(x => x.Key))
        {
            json.WriteStartObject(RdbTypeInfo.Name(type));
            json.WriteNumber("keys", c.Keys);
            json.WriteNumber("bytes", c.Bytes);
            json.WriteEndObject();
        }
    }

    public static void WriteText(StatsHandler s, TextWriter w)
    {
        w.WriteLine($"RDB version {s.Version} ({(s.Magic == RdbMagicKind.Valkey ? "VALKEY" : "REDIS")} magic), checksum {(s.ChecksumVerified ? "verified" : "not present")}");
        w.WriteLine($"keys: {s.Keys}   value bytes: {s.Bytes}");
        w.WriteLine();
        w.WriteLine($"{"db",-4} {"type",-8} {"keys",12} {"bytes",16}");
        foreach (var (db, types) in s.PerDb)
            foreach (var (type, c) in types.OrderBy(x => x.Key))
                w.WriteLine($"{db,-4} {RdbTypeInfo.Name(type),-8} {c.Keys,12} {c.Bytes,16}");
        w.WriteLine();
        w.WriteLine("encodings:");
        foreach (var (name, count) in s.Encodings) w.WriteLine($"  {name,-24} {count,12}");
        w.WriteLine();
        w.WriteLine($"biggest {StatsHandler.BiggestCount} keys (raw value bytes):");
        foreach (var big in s.Biggest)
            w.WriteLine($"  {big.Bytes,12}  db{big.Db}  {RdbTypeInfo.Name(big.Type),-6}  {Printable.Of(big.Key)}");
        w.WriteLine();
        w.WriteLine("expiry:");
        w.WriteLine($"  {"none",-16} {s.NoExpiry,12}");
        w.WriteLine($"  {"already_expired",-16} {s.AlreadyExpired,12}");
        for (int i = 0; i < StatsHandler.ExpiryBuckets.Length; i++) w.WriteLine($"  {StatsHandler.ExpiryBuckets[i].Name,-16} {s.ExpiryHistogram[i],12}");
        if (s.Functions.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("function libraries:");
            foreach (var f in s.Functions) w.WriteLine($"  {f}");
        }
    }
}
