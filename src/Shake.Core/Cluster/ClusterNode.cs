namespace Shake.Core.Cluster;

/// <summary>One node as the cluster describes it.</summary>
/// <param name="Id">The 40-character node id.</param>
/// <param name="Address"><c>host:port</c> to dial (IPv6 hosts bracketed); empty for a node the cluster knows no address of.</param>
/// <param name="IsMaster">True for a master (with or without slots).</param>
/// <param name="MasterId">For a replica, the id of its master; null for masters and replicas without a known master.</param>
/// <param name="Healthy">True when the cluster sees the node as reachable and serving (no fail flags, link connected / health online).</param>
/// <param name="Slots">The slot ranges the node serves, ascending; empty for replicas.</param>
public sealed record ClusterNode(string Id, string Address, bool IsMaster, string? MasterId, bool Healthy, IReadOnlyList<SlotRange> Slots)
{
    /// <summary>Number of slots in <see cref="Slots"/>.</summary>
    public int SlotCount => Slots.Sum(r => r.Count);

    /// <summary>The lowest slot served, or -1 when none.</summary>
    public int LowestSlot => Slots.Count == 0 ? -1 : Slots.Min(r => r.Start);

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsMaster ? "master" : "replica")} {Address} ({Id[..Math.Min(8, Id.Length)]}{(Healthy ? "" : ", unhealthy")}{(Slots.Count > 0 ? ", slots " + string.Join(",", Slots) : "")})";
}

/// <summary>A range of hash slots, both ends inclusive.</summary>
/// <param name="Start">First slot.</param>
/// <param name="End">Last slot (inclusive).</param>
public readonly record struct SlotRange(int Start, int End)
{
    /// <summary>Number of slots in the range.</summary>
    public int Count => End - Start + 1;

    /// <summary>True when <paramref name="slot"/> lies in the range.</summary>
    public bool Contains(int slot) => slot >= Start && slot <= End;

    /// <summary><c>start-end</c>, or the single slot.</summary>
    public override string ToString() => Start == End ? Start.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Start}-{End}";

    /// <summary>The slots of <paramref name="ranges"/> but <paramref name="left"/>, as ranges in order.</summary>
    public static IReadOnlyList<SlotRange> Without(IEnumerable<SlotRange> ranges, IReadOnlySet<int> left)
    {
        var result = new List<SlotRange>();
        foreach (var range in ranges.OrderBy(r => r.Start))
        {
            var start = range.Start;
            for (var slot = range.Start; slot <= range.End + 1; slot++)
            {
                if (slot <= range.End && !left.Contains(slot)) continue;
                if (slot > start) result.Add(new SlotRange(start, slot - 1));
                start = slot + 1;
            }
        }
        return result;
    }
}
