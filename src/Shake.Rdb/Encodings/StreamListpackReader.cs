namespace Shake.Rdb.Encodings;

/// <summary>
/// Reads the entries of one stream node: a listpack stored under a master entry ID (the node's key in the stream's radix tree).
/// </summary>
/// <remarks>
/// The listpack starts with the master entry: valid-entry count, deleted-entry count, master field count, the master field
/// names, and a 0 terminator. Each entry then is: flags (1 = deleted, 2 = same fields as the master), ID millisecond and
/// sequence differences from the master ID, then — unless flag 2 — a field count and field/value pairs, or — with flag 2 —
/// just the values; and finally the number of listpack elements the entry used before this one, which is verified.
/// Usage: <c>while (r.TryReadEntry(out var h)) while (r.TryReadField(out var f, out var v)) ...</c>; unread fields are skipped.
/// </remarks>
public ref struct StreamListpackReader
{
    private const int FlagDeleted = 1;
    private const int FlagSameFields = 2;

    private ListpackReader _listpack;
    private readonly ListpackReader _masterFields;
    private ListpackReader _masterCursor;
    private readonly ulong _masterMilliseconds;
    private readonly ulong _masterSequence;
    private readonly int _masterFieldCount;
    private readonly long _declaredValid;
    private readonly long _declaredDeleted;
    private long _seenValid;
    private long _seenDeleted;
    private bool _inEntry;
    private bool _sameFields;
    private int _remainingFields;
    private int _entryFieldCount;
    private int _entryStart;
    private bool _ended;

    /// <summary>Reads the master entry of <paramref name="listpack"/>, whose master ID is (<paramref name="masterIdMs"/>, <paramref name="masterIdSeq"/>).</summary>
    /// <exception cref="RdbFormatException">The listpack or its master entry is malformed.</exception>
    public StreamListpackReader(ReadOnlySpan<byte> listpack, ulong masterIdMs, ulong masterIdSeq)
    {
        _listpack = new ListpackReader(listpack);
        _masterMilliseconds = masterIdMs;
        _masterSequence = masterIdSeq;
        _declaredValid = ReadCount(ref _listpack, "stream master entry count");
        _declaredDeleted = ReadCount(ref _listpack, "stream master deleted count");
        var fieldCount = ReadCount(ref _listpack, "stream master field count");
        if (fieldCount > listpack.Length)
            throw new RdbFormatException($"stream master field count {fieldCount} is larger than the listpack", _listpack.Offset);
        _masterFieldCount = (int)fieldCount;
        _masterFields = _listpack;
        for (var i = 0; i < _masterFieldCount; i++)
            _listpack.ReadRequired("a stream master field");
        var terminatorAt = _listpack.Offset;
        if (!_listpack.ReadRequired("the stream master entry terminator").TryGetInteger(out var terminator) || terminator != 0)
            throw new RdbFormatException("stream master entry does not end with 0", terminatorAt);
        _masterCursor = _masterFields;
        _seenValid = 0;
        _seenDeleted = 0;
        _inEntry = false;
        _sameFields = false;
        _remainingFields = 0;
        _entryFieldCount = 0;
        _entryStart = 0;
        _ended = false;
    }

    /// <summary>Number of live entries the master entry declares for this node.</summary>
    public readonly long DeclaredValidCount => _declaredValid;

    /// <summary>Number of deleted-but-present entries the master entry declares for this node.</summary>
    public readonly long DeclaredDeletedCount => _declaredDeleted;

    /// <summary>Number of field names in the master entry.</summary>
    public readonly int MasterFieldCount => _masterFieldCount;

    /// <summary>Moves to the next entry (skipping any unread fields of the current one); false after the last.</summary>
    /// <exception cref="RdbFormatException">An entry is malformed, or the entry counts differ from the master entry's.</exception>
    public bool TryReadEntry(out StreamEntryHeader header)
    {
        header = default;
        if (_ended) return false;
        if (_inEntry)
        {
            while (TryReadField(out _, out _)) { }
        }
        var at = _listpack.Offset;
        if (!_listpack.TryRead(out var flagsElement))
        {
            if (_seenValid != _declaredValid || _seenDeleted != _declaredDeleted)
                throw new RdbFormatException(
                    $"stream master entry declares {_declaredValid} live and {_declaredDeleted} deleted entries but the node holds {_seenValid} and {_seenDeleted}", at);
            _ended = true;
            return false;
        }
        _entryStart = _listpack.ReadCount - 1;
        if (!flagsElement.TryGetInteger(out var flags) || flags is < 0 or > (FlagDeleted | FlagSameFields))
            throw new RdbFormatException("stream entry flags are not 0..3", at);
        var msDiff = ReadInteger("stream entry ID millisecond difference");
        var seqDiff = ReadInteger("stream entry ID sequence difference");
        _sameFields = (flags & FlagSameFields) != 0;
        if (_sameFields)
        {
            _entryFieldCount = _masterFieldCount;
            _masterCursor = _masterFields;
        }
        else
        {
            var countAt = _listpack.Offset;
            var count = ReadInteger("stream entry field count");
            if (count < 0 || count > int.MaxValue / 2)
                throw new RdbFormatException($"stream entry field count {count} is out of range", countAt);
            _entryFieldCount = (int)count;
        }
        _remainingFields = _entryFieldCount;
        _inEntry = true;
        var deleted = (flags & FlagDeleted) != 0;
        if (deleted) _seenDeleted++;
        else _seenValid++;
        header = new StreamEntryHeader(
            unchecked(_masterMilliseconds + (ulong)msDiff),
            unchecked(_masterSequence + (ulong)seqDiff),
            deleted,
            _entryFieldCount,
            _sameFields);
        return true;
    }

    /// <summary>Reads the next field/value pair of the current entry (field names resolved from the master entry when shared); false after the last.</summary>
    /// <exception cref="RdbFormatException">The entry is cut short or its trailing element count is wrong.</exception>
    public bool TryReadField(out CompactElement field, out CompactElement value)
    {
        field = default;
        value = default;
        if (!_inEntry) return false;
        if (_remainingFields == 0)
        {
            FinishEntry();
            return false;
        }
        field = _sameFields ? _masterCursor.ReadRequired("a stream master field") : _listpack.ReadRequired("a stream entry field");
        value = _listpack.ReadRequired("a stream entry value");
        _remainingFields--;
        return true;
    }

    private void FinishEntry()
    {
        var at = _listpack.Offset;
        var used = _listpack.ReadCount - _entryStart;
        var stored = ReadInteger("stream entry element count");
        if (stored != used)
            throw new RdbFormatException($"stream entry says it used {stored} listpack elements but it used {used}", at);
        _inEntry = false;
    }

    private long ReadInteger(string what)
    {
        var at = _listpack.Offset;
        if (!_listpack.ReadRequired(what).TryGetInteger(out var value))
            throw new RdbFormatException($"{what} is not an integer", at);
        return value;
    }

    private static long ReadCount(ref ListpackReader listpack, string what)
    {
        var at = listpack.Offset;
        if (!listpack.ReadRequired(what).TryGetInteger(out var value) || value < 0)
            throw new RdbFormatException($"{what} is not a non-negative integer", at);
        return value;
    }
}
