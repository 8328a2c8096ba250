using Shake.Rdb.Values;

namespace Shake.Rdb.Tests.Canon;

/// <summary>The consumer-group lag a server reports in XINFO GROUPS, computed from the stored stream counters.</summary>
public static class StreamLag
{
    public static long? Lag(StreamMetadata s, StreamId groupLastId, long entriesRead)
    {
        if (s.EntriesAdded == 0) return 0;
        if (entriesRead >= 0 && !RangeHasTombstones(s, groupLastId)) return (long)s.EntriesAdded - entriesRead;
        long estimate = EstimateDistance(s, groupLastId);
        return estimate >= 0 ? (long)s.EntriesAdded - estimate : null;
    }

    public static long EstimateDistance(StreamMetadata s, StreamId id)
    {
        if (s.EntriesAdded == 0) return 0;
        if (s.Length == 0 && id.CompareTo(s.LastId) < 1) return (long)s.EntriesAdded;
        int cmpLast = id.CompareTo(s.LastId);
        if (cmpLast == 0) return (long)s.EntriesAdded;
        if (cmpLast > 0) return -1;
        int cmpFirst = id.CompareTo(s.FirstId);
        if (s.MaxDeletedId.IsZero || s.MaxDeletedId.CompareTo(s.FirstId) < 0)
        {
            if (cmpFirst < 0) return (long)(s.EntriesAdded - s.Length);
            if (cmpFirst == 0) return (long)(s.EntriesAdded - s.Length + 1);
        }
        return -1;
    }

    private static bool RangeHasTombstones(StreamMetadata s, StreamId start)
    {
        if (s.Length == 0 || s.MaxDeletedId.IsZero) return false;
        if (s.FirstId.CompareTo(s.MaxDeletedId) > 0) return false;
        return start.CompareTo(s.MaxDeletedId) <= 0;
    }
}
