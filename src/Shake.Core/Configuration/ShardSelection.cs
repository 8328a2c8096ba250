using System.Globalization;

namespace Shake.Core.Configuration;

/// <summary>
/// Which shards of a cluster source one process serves (<c>[advanced] shards = "i/n"</c>): those whose index in the
/// shard list sorted by lowest slot is <see cref="Index"/> modulo <see cref="Count"/>. N processes configured 0/N … N-1/N
/// together cover every shard exactly once.
/// </summary>
public readonly record struct ShardSelection(int Index, int Count)
{
    /// <summary>Every shard.</summary>
    public static ShardSelection All => new(0, 1);

    /// <summary>Parses <c>"i/n"</c> with 0 ≤ i &lt; n; an empty text means <see cref="All"/>.</summary>
    public static bool TryParse(string text, out ShardSelection selection)
    {
        selection = All;
        if (text.Length == 0) return true;
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || index >= count) return false;
        selection = new ShardSelection(index, count);
        return true;
    }

    /// <summary>True when the shard at <paramref name="position"/> of the sorted list is this process's.</summary>
    public bool Includes(int position) => position % Count == Index;

    /// <inheritdoc />
    public override string ToString() => Count == 1 ? "all" : $"{Index}/{Count}";
}
