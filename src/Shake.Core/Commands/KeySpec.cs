namespace Shake.Core.Commands;

/// <summary>How a key specification finds where its keys begin (Redis 7 key specs).</summary>
public enum KeySearch
{
    /// <summary>The keys begin at a fixed argument index.</summary>
    Index,
    /// <summary>The keys begin after a keyword, searched from an index (negative: from the end, backwards).</summary>
    Keyword,
    /// <summary>The server cannot say; the command needs its own rule.</summary>
    Unknown,
}

/// <summary>How a key specification finds its keys once it knows where they begin.</summary>
public enum KeyFind
{
    /// <summary>A range of arguments: up to a last key (relative; negative counts from the end), every step, optionally a fraction of the rest.</summary>
    Range,
    /// <summary>A count argument says how many keys follow.</summary>
    KeyNum,
    /// <summary>The server cannot say; the command needs its own rule.</summary>
    Unknown,
}

/// <summary>
/// One Redis 7 key specification as <c>COMMAND INFO</c> reports it: where a command's keys are among its arguments
/// (argument 0 is the command name).
/// </summary>
/// <param name="Search">How the start is found.</param>
/// <param name="Index">For <see cref="KeySearch.Index"/>: the start; for <see cref="KeySearch.Keyword"/>: where the search starts.</param>
/// <param name="Keyword">The keyword to search for, or null.</param>
/// <param name="Find">How the keys are found from the start.</param>
/// <param name="LastKey">Range: the last key relative to the first (negative: counted from the end).</param>
/// <param name="Step">The distance between keys.</param>
/// <param name="Limit">Range with a negative last key: only 1/limit of the remaining arguments are keys (0: all).</param>
/// <param name="KeyNumIndex">KeyNum: where the count is, relative to the start.</param>
/// <param name="FirstKey">KeyNum: where the first key is, relative to the start.</param>
public readonly record struct KeySpec(KeySearch Search, int Index, string? Keyword, KeyFind Find, int LastKey, int Step, int Limit, int KeyNumIndex, int FirstKey)
{
    /// <summary>Keys in a range starting at a fixed index.</summary>
    public static KeySpec AtIndex(int index, int lastKey, int step, int limit) => new(KeySearch.Index, index, null, KeyFind.Range, lastKey, step, limit, 0, 0);
}
