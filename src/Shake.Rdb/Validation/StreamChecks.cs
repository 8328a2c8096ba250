using System.Buffers.Binary;
using Shake.Rdb.Encodings;
using Shake.Rdb.Parsing;
using Shake.Rdb.Values;

namespace Shake.Rdb.Validation;

/// <summary>
/// Deep checks of one stream value: every node listpack (master entry, entry flags, ID deltas, field counts, the
/// per-entry element count, live/deleted counts), node keys 16 bytes and unique, a non-zero length only with nodes,
/// and the consumer groups as a server checks them on load: unique group names, unique consumer names per group,
/// no pending entry twice in a group's PEL or a consumer's, every consumer's pending entry present in its group's
/// PEL, and every group PEL entry owned by a consumer. Reusable; offsets are relative to the value.
/// </summary>
internal sealed class StreamChecks : IDisposable
{
    private readonly HashSet<UInt128> _nodeKeys = [];
    private readonly Dictionary<UInt128, int> _pendingOwner = [];
    private readonly HashSet<UInt128> _consumerPending = [];
    private readonly DuplicateFinder _groupNames = new();
    private readonly DuplicateFinder _consumerNames = new();

    /// <summary>Checks the stream at the cursor, which the caller's <paramref name="reader"/> reads strings with.</summary>
    public void Check(ref RdbCursor c, int layout, StringSource reader)
    {
        try
        {
            CheckNodes(ref c, reader, out ulong nodes);
            ulong length = ValueReads.Count(ref c, "stream length");
            if (length > 0 && nodes == 0)
                throw new RdbFormatException($"stream length {length} but the stream has no nodes", c.Offset);
            ValueReads.Count(ref c, "a stream id");
            ValueReads.Count(ref c, "a stream id");
            if (layout >= 2)
            {
                for (int i = 0; i < 4; i++) ValueReads.Count(ref c, "a stream id");
                ValueReads.Count(ref c, "stream entries added");
            }
            CheckGroups(ref c, layout, reader);
            if (layout >= 4 && !RdbValueSkipper.TrySkipIdempotentProducers(ref c)) ValueReads.ThrowTruncated(ref c, "the stream IDMP state");
        }
        finally
        {
            _nodeKeys.Clear();
            _pendingOwner.Clear();
            _consumerPending.Clear();
        }
    }

    private void CheckNodes(ref RdbCursor c, StringSource reader, out ulong nodes)
    {
        nodes = ValueReads.Count(ref c, "stream listpack count");
        for (ulong i = 0; i < nodes; i++)
        {
            long at = c.Offset;
            var nodeKey = reader.Read(ref c, 0);
            if (nodeKey.Length != 16) throw new RdbFormatException($"stream node key has {nodeKey.Length} bytes, expected 16", at);
            ulong ms = BinaryPrimitives.ReadUInt64BigEndian(nodeKey);
            ulong seq = BinaryPrimitives.ReadUInt64BigEndian(nodeKey[8..]);
            if (!_nodeKeys.Add(new UInt128(ms, seq))) throw new RdbFormatException($"stream node {ms}-{seq} comes twice", at);
            at = c.Offset;
            var listpack = reader.Read(ref c, 1);
            try
            {
                var node = new StreamListpackReader(listpack, ms, seq);
                while (node.TryReadEntry(out _))
                {
                    while (node.TryReadField(out _, out _)) { }
                }
            }
            catch (RdbFormatException e)
            {
                throw new RdbFormatException($"stream node {ms}-{seq}: {e.Reason} (at byte {e.Offset} of its {listpack.Length}-byte listpack)", at);
            }
        }
    }

    private void CheckGroups(ref RdbCursor c, int layout, StringSource reader)
    {
        ulong groups = ValueReads.Count(ref c, "consumer group count");
        _groupNames.Reset((long)Math.Min(groups, 1024));
        for (ulong g = 0; g < groups; g++)
        {
            long at = c.Offset;
            var name = reader.Read(ref c, 0);
            if (!_groupNames.Add(name)) throw new RdbFormatException($"consumer group \"{Printable(name)}\" comes twice", at);
            ValueReads.Count(ref c, "a stream id");
            ValueReads.Count(ref c, "a stream id");
            if (layout >= 2) ValueReads.Count(ref c, "group entries read");
            _pendingOwner.Clear();
            ulong pel = ValueReads.Count(ref c, "group PEL size");
            for (ulong p = 0; p < pel; p++)
            {
                at = c.Offset;
                var id = ReadRawId(ref c);
                ValueReads.Int64(ref c, "PEL delivery time");
                ValueReads.Count(ref c, "PEL delivery count");
                if (!_pendingOwner.TryAdd(id, -1)) throw new RdbFormatException($"pending entry {Id(id)} comes twice in a group's PEL", at);
            }
            ulong consumers = ValueReads.Count(ref c, "consumer count");
            _consumerNames.Reset((long)Math.Min(consumers, 1024));
            for (ulong k = 0; k < consumers; k++)
            {
                at = c.Offset;
                var consumer = reader.Read(ref c, 0);
                if (!_consumerNames.Add(consumer)) throw new RdbFormatException($"consumer \"{Printable(consumer)}\" comes twice in a group", at);
                ValueReads.Int64(ref c, "consumer seen time");
                if (layout >= 3) ValueReads.Int64(ref c, "consumer active time");
                _consumerPending.Clear();
                ulong owned = ValueReads.Count(ref c, "consumer PEL size");
                for (ulong p = 0; p < owned; p++)
                {
                    at = c.Offset;
                    var id = ReadRawId(ref c);
                    if (!_pendingOwner.ContainsKey(id)) throw new RdbFormatException($"consumer's pending entry {Id(id)} is not in its group's PEL", at);
                    if (!_consumerPending.Add(id)) throw new RdbFormatException($"pending entry {Id(id)} comes twice in a consumer's PEL", at);
                    _pendingOwner[id] = (int)Math.Min(k, int.MaxValue);
                }
            }
            foreach (var (id, owner) in _pendingOwner)
            {
                if (owner < 0) throw new RdbFormatException($"group PEL entry {Id(id)} has no consumer", c.Offset);
            }
        }
    }

    private static UInt128 ReadRawId(ref RdbCursor c)
    {
        ulong seq = 0;
        if (!c.TryReadUInt64BigEndian(out ulong ms) || !c.TryReadUInt64BigEndian(out seq)) ValueReads.ThrowTruncated(ref c, "a PEL stream id");
        return new UInt128(ms, seq);
    }

    private static string Id(UInt128 id) => $"{(ulong)(id >> 64)}-{(ulong)id}";

    private static string Printable(ReadOnlySpan<byte> name) => System.Text.Encoding.UTF8.GetString(name[..Math.Min(name.Length, 64)]);

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        _groupNames.Dispose();
        _consumerNames.Dispose();
    }
}
