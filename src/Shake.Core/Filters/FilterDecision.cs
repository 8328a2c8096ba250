namespace Shake.Core.Filters;

/// <summary>A filter's decision: pass (to a database, possibly another one), drop (with a reason) or stop (with a message).</summary>
public readonly record struct FilterDecision(FilterVerdict Verdict, int Db, FilterReason Reason, string? Message)
{
    /// <summary>Passes to <paramref name="db"/>.</summary>
    public static FilterDecision Pass(int db) => new(FilterVerdict.Pass, db, FilterReason.None, null);

    /// <summary>Drops, counted under <paramref name="reason"/>.</summary>
    public static FilterDecision Drop(FilterReason reason) => new(FilterVerdict.Drop, -1, reason, null);

    /// <summary>Stops the sync with <paramref name="message"/>.</summary>
    public static FilterDecision Stop(string message) => new(FilterVerdict.Stop, -1, FilterReason.None, message);

    /// <summary>Whether the verdict is <see cref="FilterVerdict.Pass"/>.</summary>
    public bool Passes => Verdict == FilterVerdict.Pass;
}
