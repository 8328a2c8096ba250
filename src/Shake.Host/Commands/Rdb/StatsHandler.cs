using System.Buffers;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;

namespace Shake.Host.Commands.Rdb;

/// <summary>
/// <c>shake rdb stats</c>: counts keys and raw value bytes per database and type, keeps the 20 biggest keys, and an
/// expiry histogram. Works on raw entries only (nothing is decoded), so it runs at parser speed.
/// </summary>
internal sealed class StatsHandler : IRdbHandler
{
    public const int BiggestCount = 20;

    /// <summary>Upper bounds (exclusive) of the expiry buckets, as time left from now.</summary>
    public static readonly (string Name, TimeSpan Below)[] ExpiryBuckets =
    [
        ("under_1h", TimeSpan.FromHours(1)),
        ("under_1d", TimeSpan.FromDays(1)),
        ("under_7d", TimeSpan.FromDays(7)),
        ("under_30d", TimeSpan.FromDays(30)),
        ("under_1y", TimeSpan.FromDays(365)),
        ("1y_or_more", TimeSpan.MaxValue),
    ];

    private readonly long _nowMs;
    private readonly PriorityQueue<BigKey, long> _biggest = new();

    public StatsHandler(long nowMs) => _nowMs = nowMs;

    public sealed record BigKey(int Db, byte[] Key, RdbLogicalType Type, string Encoding, long Bytes);

    public sealed class Counter
    {
        public long Keys;
        public long Bytes;
    }

    public int Version { get; private set; }
    public RdbMagicKind Magic { get; private set; }
    public long Keys { get; private set; }
    public long Bytes { get; private set; }
    public SortedDictionary<int, Dictionary<RdbLogicalType, Counter>> PerDb { get; } = [];
    public Dictionary<RdbLogicalType, Counter> PerType { get; } = [];
    private readonly long[] _perTypeByte = new long[256];

    /// <summary>Keys per stored encoding name (type byte read through the file's magic).</summary>
    public SortedDictionary<string, long> Encodings
    {
        get
        {
            var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (int t = 0; t < 256; t++)
                if (_perTypeByte[t] > 0) result[RdbTypeInfo.Name((byte)t, Magic)] = _perTypeByte[t];
            return result;
        }
    }
    public long NoExpiry { get; private set; }
    public long AlreadyExpired { get; private set; }
    public long[] ExpiryHistogram { get; } = new long[ExpiryBuckets.Length];
    public List<string> Functions { get; } = [];
    public Dictionary<string, string> Aux { get; } = [];
    public bool ChecksumVerified { get; private set; }

    public IEnumerable<BigKey> Biggest => _biggest.UnorderedItems.Select(x => x.Element).OrderByDescending(x => x.Bytes);

    public void OnHeader(int version, RdbMagicKind magic) { Version = version; Magic = magic; }
    public void OnAux(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Aux[System.Text.Encoding.UTF8.GetString(key)] = System.Text.Encoding.UTF8.GetString(value);
    public void OnEnd(bool checksumPresent, bool checksumVerified) => ChecksumVerified = checksumPresent && checksumVerified;

    public void OnFunction(ReadOnlySpan<byte> code)
    {
        var text = System.Text.Encoding.UTF8.GetString(code);
        int end = text.IndexOf('\n');
        Functions.Add(end < 0 ? text : text[..end]);
    }

    public bool OnEntry(in RdbEntry entry)
    {
        long bytes = entry.RawValue.Length;
        Keys++;
        Bytes += bytes;
        if (!PerDb.TryGetValue(entry.Db, out var types)) PerDb[entry.Db] = types = [];
        Add(types, entry.LogicalType, bytes);
        Add(PerType, entry.LogicalType, bytes);
        _perTypeByte[entry.Type]++;

        if (entry.ExpireAtMs < 0) NoExpiry++;
        else if (entry.ExpireAtMs <= _nowMs) AlreadyExpired++;
        else
        {
            var left = TimeSpan.FromMilliseconds(entry.ExpireAtMs - _nowMs);
            int bucket = Array.FindIndex(ExpiryBuckets, b => left < b.Below);
            ExpiryHistogram[bucket]++;
        }

        if (_biggest.Count < BiggestCount)
            _biggest.Enqueue(new BigKey(entry.Db, entry.Key.ToArray(), entry.LogicalType, RdbTypeInfo.Name(entry.Type, entry.Magic), bytes), bytes);
        else if (_biggest.TryPeek(out _, out long smallest) && bytes > smallest)
            _biggest.EnqueueDequeue(new BigKey(entry.Db, entry.Key.ToArray(), entry.LogicalType, RdbTypeInfo.Name(entry.Type, entry.Magic), bytes), bytes);
        return true;
    }

    private static void Add(Dictionary<RdbLogicalType, Counter> counters, RdbLogicalType type, long bytes)
    {
        if (!counters.TryGetValue(type, out var c)) counters[type] = c = new Counter();
        c.Keys++;
        c.Bytes += bytes;
    }
}
