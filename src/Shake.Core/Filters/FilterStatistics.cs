namespace Shake.Core.Filters;

/// <summary>Counts what the filters let through, redirected and dropped (by reason); safe to read while counting.</summary>
public sealed class FilterStatistics
{
    private readonly long[] _dropped = new long[Enum.GetValues<FilterReason>().Length];
    private long _passedEntries, _passedCommands, _redirected;

    /// <summary>RDB entries written.</summary>
    public long PassedEntries => Interlocked.Read(ref _passedEntries);

    /// <summary>Replicated commands written.</summary>
    public long PassedCommands => Interlocked.Read(ref _passedCommands);

    /// <summary>Entries and commands written to another database than their own.</summary>
    public long Redirected => Interlocked.Read(ref _redirected);

    /// <summary>Entries and commands dropped for <paramref name="reason"/>.</summary>
    public long Dropped(FilterReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    /// <summary>Entries and commands dropped for any reason.</summary>
    public long DroppedTotal
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _dropped.Length; i++) total += Interlocked.Read(ref _dropped[i]);
            return total;
        }
    }

    internal void Pass(bool isEntry, bool redirected)
    {
        if (isEntry) Interlocked.Increment(ref _passedEntries);
        else Interlocked.Increment(ref _passedCommands);
        if (redirected) Interlocked.Increment(ref _redirected);
    }

    internal void Drop(FilterReason reason) => Interlocked.Increment(ref _dropped[(int)reason]);

    /// <summary>For the status line: <c>filtered 12 (key 9, db 3)</c>, plus redirections; empty when nothing was dropped or redirected.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        foreach (var reason in Enum.GetValues<FilterReason>())
        {
            var count = Dropped(reason);
            if (count > 0) parts.Add($"{Label(reason)} {count}");
        }
        var text = parts.Count == 0 ? "" : $"filtered {DroppedTotal} ({string.Join(", ", parts)})";
        if (Redirected > 0) text += (text.Length > 0 ? ", " : "") + $"redirected {Redirected}";
        return text;
    }

    private static string Label(FilterReason reason) => reason switch
    {
        FilterReason.MixedKeys => "mixed keys",
        FilterReason.CommandGroup => "command group",
        _ => reason.ToString().ToLowerInvariant(),
    };
}
