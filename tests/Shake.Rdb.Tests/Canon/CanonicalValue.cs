using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Shake.Rdb.Format;
using Shake.Rdb.Values;

namespace Shake.Rdb.Tests.Canon;

/// <summary>
/// Collects a decoded value and formats it like the corpus tool canon.sh prints a live server's value:
/// quoting as redis-cli --no-raw, sets and hash fields sorted, sorted sets by (score, member) with %.17g scores,
/// stream entries/meta/groups, and values longer than 1024 characters replaced by their element count and sha256.
/// </summary>
public sealed class CanonicalValue : IRdbValueVisitor
{
    private readonly long _nowMs;
    private string? _string;
    private readonly List<string> _items = [];
    private readonly List<(byte[] Member, double Score)> _zset = [];
    private readonly List<(string Field, string Value, bool Ttl)> _hash = [];
    private readonly List<string> _streamEntries = [];
    private StringBuilder? _currentEntry;
    private StreamMetadata _meta;
    private readonly List<Group> _groups = [];
    private Group? _currentGroup;
    private Consumer? _currentConsumer;
    private long _moduleValues;

    private readonly int _digestOver;

    /// <param name="nowMs">Time of the listing: fields expired by then are left out.</param>
    /// <param name="digestOver">Values longer than this are replaced by count + sha256 (canon.sh's CANON_MAXLEN).</param>
    public CanonicalValue(long nowMs, int digestOver = 1024)
    {
        _nowMs = nowMs;
        _digestOver = digestOver;
    }

    private sealed class Group
    {
        public required string Name;
        public StreamId LastId;
        public long EntriesRead;
        public List<(StreamId Id, ulong Count)> Pel = [];
        public List<Consumer> Consumers = [];
    }

    private sealed class Consumer
    {
        public required string Name;
        public List<StreamId> Pending = [];
    }

    /// <summary>Number of live elements (a hash whose fields all expired is empty, as on a server).</summary>
    public int Count(RdbLogicalType type) => type switch
    {
        RdbLogicalType.String => 1,
        RdbLogicalType.List or RdbLogicalType.Set => _items.Count,
        RdbLogicalType.ZSet => _zset.Count,
        RdbLogicalType.Hash => _hash.Count,
        RdbLogicalType.Stream => _streamEntries.Count,
        _ => (int)_moduleValues,
    };

    public void OnString(ReadOnlySpan<byte> value) => _string = CliQuoting.Quote(value);

    // A string handed over in parts is quoted once complete (a part may end inside an escape's bytes).
    private List<byte>? _stringParts;

    public void OnStringPart(ReadOnlySpan<byte> part, long totalLength)
    {
        _stringParts ??= new List<byte>((int)Math.Min(totalLength, int.MaxValue));
        foreach (var b in part) _stringParts.Add(b);
        if (_stringParts.Count == totalLength) _string = CliQuoting.Quote(_stringParts.ToArray());
    }
    public void OnListItem(ReadOnlySpan<byte> item) => _items.Add(CliQuoting.Quote(item));
    public void OnSetMember(ReadOnlySpan<byte> member) => _items.Add(CliQuoting.Quote(member));
    public void OnZSetMember(ReadOnlySpan<byte> member, double score) => _zset.Add((member.ToArray(), score));

    public void OnHashField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value, long expireAtMs)
    {
        if (expireAtMs >= 0 && expireAtMs <= _nowMs) return; // expired fields are gone on a live server
        _hash.Add((CliQuoting.Quote(field), CliQuoting.Quote(value), expireAtMs >= 0));
    }

    public void OnStreamEntry(StreamId id, int fieldCount)
    {
        FlushEntry();
        _currentEntry = new StringBuilder().Append(CliQuoting.Quote(id.ToString())).Append('{');
        _entryFields = 0;
    }

    private int _entryFields;

    public void OnStreamField(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        if (_entryFields++ > 0) _currentEntry!.Append(',');
        _currentEntry!.Append(CliQuoting.Quote(field)).Append('=').Append(CliQuoting.Quote(value));
    }

    private void FlushEntry()
    {
        if (_currentEntry is null) return;
        _streamEntries.Add(_currentEntry.Append('}').ToString());
        _currentEntry = null;
    }

    public void OnStreamMetadata(in StreamMetadata metadata)
    {
        FlushEntry();
        _meta = metadata;
    }

    public void OnStreamGroup(ReadOnlySpan<byte> name, StreamId lastDeliveredId, long entriesRead)
    {
        _currentGroup = new Group { Name = CliQuoting.Quote(name), LastId = lastDeliveredId, EntriesRead = entriesRead };
        _groups.Add(_currentGroup);
    }

    public void OnStreamPendingEntry(StreamId id, long deliveryTimeMs, ulong deliveryCount) => _currentGroup!.Pel.Add((id, deliveryCount));

    public void OnStreamConsumer(ReadOnlySpan<byte> name, long seenTimeMs, long activeTimeMs)
    {
        _currentConsumer = new Consumer { Name = CliQuoting.Quote(name) };
        _currentGroup!.Consumers.Add(_currentConsumer);
    }

    public void OnStreamConsumerPendingEntry(StreamId id) => _currentConsumer!.Pending.Add(id);

    public void OnModuleValue(ulong moduleId, ReadOnlySequence<byte> data) => _moduleValues++;

    public string Format(RdbLogicalType type)
    {
        switch (type)
        {
            case RdbLogicalType.String:
                return Digest(_string!, 1);
            case RdbLogicalType.List:
                return Digest("[" + string.Join(',', _items) + "]", _items.Count);
            case RdbLogicalType.Set:
            {
                var sorted = _items.OrderBy(x => x, StringComparer.Ordinal);
                return Digest("[" + string.Join(',', sorted) + "]", _items.Count);
            }
            case RdbLogicalType.ZSet:
            {
                var sorted = _zset.OrderBy(x => x.Score).ThenBy(x => x.Member, ByteComparer.Instance)
                    .Select(x => CliQuoting.Quote(x.Member) + ":" + FormatScore(x.Score));
                return Digest("[" + string.Join(',', sorted) + "]", _zset.Count);
            }
            case RdbLogicalType.Hash:
            {
                var sorted = _hash.OrderBy(x => x.Field, StringComparer.Ordinal).ToList();
                var text = "[" + string.Join(',', sorted.Select(x => x.Field + "=" + x.Value)) + "]";
                var ttl = sorted.Where(x => x.Ttl).Select(x => x.Field).ToList();
                if (ttl.Count > 0) text += " fttl=[" + string.Join(',', ttl) + "]";
                return Digest(text, _hash.Count);
            }
            case RdbLogicalType.Stream:
                return Digest(FormatStream(), _streamEntries.Count);
            default:
                return "?";
        }
    }

    private string FormatStream()
    {
        FlushEntry();
        var m = _meta;
        var first = m.HasExtendedFields ? m.FirstId : FirstEntryId();
        var added = m.HasExtendedFields ? m.EntriesAdded : m.Length;
        var sb = new StringBuilder();
        sb.Append("entries=[").Append(string.Join(',', _streamEntries)).Append("] ");
        sb.Append("meta={length=").Append(m.Length)
          .Append(",last-generated-id=").Append(CliQuoting.Quote(m.LastId.ToString()))
          .Append(",max-deleted-entry-id=").Append(CliQuoting.Quote(m.MaxDeletedId.ToString()))
          .Append(",entries-added=").Append(added)
          .Append(",recorded-first-entry-id=").Append(CliQuoting.Quote(first.ToString()))
          .Append(",groups=").Append(_groups.Count).Append("} groups=[");
        var groups = _groups.OrderBy(g => g.Name, StringComparer.Ordinal).Select(g =>
        {
            var owner = new Dictionary<StreamId, string>();
            foreach (var c in g.Consumers) foreach (var id in c.Pending) owner[id] = c.Name;
            long entriesRead = g.EntriesRead;
            if (!m.HasExtendedFields) entriesRead = StreamLag.EstimateDistance(m with { EntriesAdded = added, FirstId = first }, g.LastId);
            var lag = StreamLag.Lag(m with { EntriesAdded = added, FirstId = first }, g.LastId, entriesRead);
            var consumers = g.Consumers.Select(c => c.Name + ":" + c.Pending.Count).OrderBy(x => x, StringComparer.Ordinal);
            var pel = g.Pel.Select(p => CliQuoting.Quote(p.Id.ToString()) + ":" + (owner.TryGetValue(p.Id, out var o) ? o : "nil") + ":" + p.Count);
            return "{name=" + g.Name + ",consumers=" + g.Consumers.Count + ",pending=" + g.Pel.Count
                + ",last-delivered-id=" + CliQuoting.Quote(g.LastId.ToString())
                + ",entries-read=" + (entriesRead < 0 ? "nil" : entriesRead.ToString(CultureInfo.InvariantCulture))
                + ",lag=" + (lag is long l ? l.ToString(CultureInfo.InvariantCulture) : "nil")
                + ",consumer-list=[" + string.Join(',', consumers) + "],pel=[" + string.Join(',', pel) + "]}";
        });
        sb.Append(string.Join(',', groups)).Append(']');
        return sb.ToString();
    }

    private StreamId FirstEntryId()
    {
        if (_streamEntries.Count == 0) return default;
        var text = _streamEntries[0];
        var id = text[1..text.IndexOf('"', 1)].Split('-');
        return new StreamId(ulong.Parse(id[0]), ulong.Parse(id[1]));
    }

    /// <summary>C's <c>%.17g</c>, as awk prints the score; infinities as redis-cli shows them.</summary>
    public static string FormatScore(double score)
    {
        if (double.IsPositiveInfinity(score)) return "inf";
        if (double.IsNegativeInfinity(score)) return "-inf";
        if (score == 0) return double.IsNegative(score) ? "-0" : "0";
        var text = score.ToString("G17", CultureInfo.InvariantCulture);
        int e = text.IndexOf('E');
        if (e < 0) return text;
        var mantissa = text[..e];
        var exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    private string Digest(string text, int count)
    {
        if (text.Length <= _digestOver) return text;
        var hash = SHA256.HashData(Encoding.Latin1.GetBytes(text));
        return $"#{count} sha256:{Convert.ToHexString(hash).ToLowerInvariant()}";
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
