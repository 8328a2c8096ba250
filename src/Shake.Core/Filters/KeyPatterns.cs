using System.Buffers;
using System.Text;

namespace Shake.Core.Filters;

/// <summary>The key prefix and suffix lists of <c>[filter]</c>, matched on key bytes without allocating.</summary>
public sealed class KeyPatterns
{
    private readonly byte[][] _allowPrefix, _allowSuffix, _blockPrefix, _blockSuffix;

    /// <summary>Encodes the lists as UTF-8.</summary>
    public KeyPatterns(IEnumerable<string> allowPrefix, IEnumerable<string> allowSuffix, IEnumerable<string> blockPrefix, IEnumerable<string> blockSuffix)
    {
        _allowPrefix = Encode(allowPrefix);
        _allowSuffix = Encode(allowSuffix);
        _blockPrefix = Encode(blockPrefix);
        _blockSuffix = Encode(blockSuffix);
    }

    /// <summary>Whether any list is non-empty.</summary>
    public bool IsActive => _allowPrefix.Length + _allowSuffix.Length + _blockPrefix.Length + _blockSuffix.Length > 0;

    /// <summary>
    /// A key passes when the allow lists are both empty or it matches one entry of either, and it matches no entry
    /// of the block lists (blocking wins).
    /// </summary>
    public bool Allows(ReadOnlySpan<byte> key)
    {
        if (_allowPrefix.Length + _allowSuffix.Length > 0)
        {
            var allowed = false;
            foreach (var p in _allowPrefix) if (key.StartsWith(p)) { allowed = true; break; }
            if (!allowed)
                foreach (var s in _allowSuffix) if (key.EndsWith(s)) { allowed = true; break; }
            if (!allowed) return false;
        }
        foreach (var p in _blockPrefix) if (key.StartsWith(p)) return false;
        foreach (var s in _blockSuffix) if (key.EndsWith(s)) return false;
        return true;
    }

    /// <summary>The same as <see cref="Allows(ReadOnlySpan{byte})"/> for a key that may span several buffers.</summary>
    public bool Allows(in ReadOnlySequence<byte> key)
    {
        if (key.IsSingleSegment) return Allows(key.FirstSpan);
        if (_allowPrefix.Length + _allowSuffix.Length > 0)
        {
            var allowed = false;
            foreach (var p in _allowPrefix) if (StartsWith(key, p)) { allowed = true; break; }
            if (!allowed)
                foreach (var s in _allowSuffix) if (EndsWith(key, s)) { allowed = true; break; }
            if (!allowed) return false;
        }
        foreach (var p in _blockPrefix) if (StartsWith(key, p)) return false;
        foreach (var s in _blockSuffix) if (EndsWith(key, s)) return false;
        return true;
    }

    private static bool StartsWith(in ReadOnlySequence<byte> key, byte[] prefix)
    {
        if (key.Length < prefix.Length) return false;
        var reader = new SequenceReader<byte>(key);
        return reader.IsNext(prefix);
    }

    private static bool EndsWith(in ReadOnlySequence<byte> key, byte[] suffix)
    {
        if (key.Length < suffix.Length) return false;
        var reader = new SequenceReader<byte>(key.Slice(key.Length - suffix.Length));
        return reader.IsNext(suffix);
    }

    private static byte[][] Encode(IEnumerable<string> values) => values.Select(Encoding.UTF8.GetBytes).ToArray();
}
