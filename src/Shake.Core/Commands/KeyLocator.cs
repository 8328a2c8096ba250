using System.Buffers;
using System.Buffers.Text;

namespace Shake.Core.Commands;

/// <summary>
/// Finds which arguments of a command are keys, from its key specs, with the two rules specs cannot express: the
/// <c>STORE</c> destination of <c>SORT</c>, and <c>MIGRATE</c>'s empty key argument when it moves several keys.
/// Commands the table does not know are taken to have their first argument as their only key.
/// </summary>
public static class KeyLocator
{
    /// <summary>
    /// Clears <paramref name="keys"/> and fills it with the argument indexes (into <paramref name="arguments"/>, where
    /// 0 is the command name) of the keys, in spec order; a key named by two specs is listed once.
    /// </summary>
    public static void Locate(CommandSpec? spec, IReadOnlyList<ReadOnlySequence<byte>> arguments, List<int> keys)
    {
        keys.Clear();
        var count = arguments.Count;
        if (spec is null)
        {
            if (count > 1) keys.Add(1);
            return;
        }
        foreach (var keySpec in spec.KeySpecArray)
        {
            if (keySpec.Search == KeySearch.Unknown || keySpec.Find == KeyFind.Unknown)
            {
                if (spec.Name is "SORT" or "SORT_RO") AddSortStore(arguments, keys);
                continue;
            }
            int first;
            if (keySpec.Search == KeySearch.Index) first = keySpec.Index;
            else
            {
                var at = FindKeyword(arguments, keySpec.Keyword!, keySpec.Index);
                if (at < 0) continue;
                first = at + 1;
            }
            if (first >= count) continue;
            int last, step;
            if (keySpec.Find == KeyFind.Range)
            {
                step = Math.Max(1, keySpec.Step);
                if (keySpec.LastKey >= 0) last = first + keySpec.LastKey;
                else if (keySpec.Limit <= 1) last = count + keySpec.LastKey;
                else last = first + (count - first) / keySpec.Limit + keySpec.LastKey;
            }
            else
            {
                var countAt = first + keySpec.KeyNumIndex;
                if (countAt >= count || !TryParseCount(arguments[countAt], out var numKeys)) continue;
                step = Math.Max(1, keySpec.Step);
                first += keySpec.FirstKey;
                last = first + (numKeys - 1) * step;
            }
            last = Math.Min(last, count - 1);
            for (var i = first; i <= last; i += step)
                if (!keys.Contains(i)) keys.Add(i);
        }
        // MIGRATE host port "" db timeout KEYS k1 k2: the empty third argument is a placeholder, not a key.
        if (spec.Name == "MIGRATE" && keys.Count > 1 && keys[0] == 3 && arguments[3].IsEmpty) keys.RemoveAt(0);
    }

    private static void AddSortStore(IReadOnlyList<ReadOnlySequence<byte>> arguments, List<int> keys)
    {
        // SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]:
        // skip each option's operands so a pattern or offset spelled "store" is not taken for the keyword.
        for (var i = 2; i < arguments.Count; i++)
        {
            if (Is(arguments[i], "LIMIT")) i += 2;
            else if (Is(arguments[i], "BY") || Is(arguments[i], "GET")) i += 1;
            else if (Is(arguments[i], "STORE") && i + 1 < arguments.Count)
            {
                if (!keys.Contains(i + 1)) keys.Add(i + 1);
                i += 1;
            }
        }
    }

    private static int FindKeyword(IReadOnlyList<ReadOnlySequence<byte>> arguments, string keyword, int startFrom)
    {
        var count = arguments.Count;
        if (startFrom >= 0)
        {
            for (var i = startFrom; i < count; i++)
                if (Is(arguments[i], keyword)) return i;
        }
        else
        {
            for (var i = count + startFrom; i > 0; i--)
                if (Is(arguments[i], keyword)) return i;
        }
        return -1;
    }

    private static bool Is(in ReadOnlySequence<byte> argument, string keyword)
    {
        if (argument.Length != keyword.Length) return false;
        Span<byte> copy = stackalloc byte[keyword.Length];
        argument.CopyTo(copy);
        for (var i = 0; i < copy.Length; i++)
            if (char.ToUpperInvariant((char)copy[i]) != keyword[i]) return false;
        return true;
    }

    private static bool TryParseCount(in ReadOnlySequence<byte> argument, out int value)
    {
        value = 0;
        if (argument.Length is 0 or > 10) return false;
        Span<byte> digits = stackalloc byte[10];
        argument.CopyTo(digits);
        return Utf8Parser.TryParse(digits[..(int)argument.Length], out value, out var used) && used == argument.Length && value >= 0;
    }
}
