using System.Buffers;
using System.Buffers.Text;
using Shake.Core.Commands;
using Shake.Core.Writers;

namespace Shake.Core.Failover;

/// <summary>
/// The most recent stream commands an engine forwarded, newest last, each with the replication offset its bytes end at,
/// its source database and the first <see cref="SlotBytes"/> bytes of its encoding — enough to name its keys when a new
/// master's history turns out to fork below what Shake applied. Bounded: it holds the last <c>capacity</c> commands
/// (default 4096, 1 MB); older ones are forgotten, and a command longer than a slot keeps only the keys that lie
/// in its first bytes. One writer (the engine's stream loop); read once that loop has ended.
/// </summary>
public sealed class AppliedCommandLog
{
    /// <summary>Bytes kept of each command.</summary>
    public const int SlotBytes = 256;

    private readonly byte[] _bytes;
    private readonly Entry[] _entries;
    private long _count;

    /// <summary>Keeps the last <paramref name="capacity"/> commands.</summary>
    public AppliedCommandLog(int capacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _entries = new Entry[capacity];
        _bytes = new byte[capacity * SlotBytes];
    }

    /// <summary>How many commands it can hold.</summary>
    public int Capacity => _entries.Length;

    /// <summary>Commands recorded since it was created (also those forgotten since).</summary>
    public long Recorded => Volatile.Read(ref _count);

    /// <summary>The offset recording began at for the current history (<see cref="Begin"/>); <see cref="long.MaxValue"/> before that.</summary>
    public long CoveredFrom { get; private set; } = long.MaxValue;

    /// <summary>
    /// Forgets everything and records from <paramref name="streamOffset"/> on: the stream starts there (after a full sync,
    /// or at a point other than where the log left off), so older entries belong to another history.
    /// </summary>
    public void Begin(long streamOffset)
    {
        Volatile.Write(ref _count, 0);
        CoveredFrom = streamOffset;
    }

    /// <summary>Records a command given whole as a span.</summary>
    public void Record(ReadOnlySpan<byte> encoded, long endOffset, int db)
    {
        var slot = (int)(_count % _entries.Length);
        var kept = Math.Min(encoded.Length, SlotBytes);
        encoded[..kept].CopyTo(_bytes.AsSpan(slot * SlotBytes, kept));
        _entries[slot] = new Entry(endOffset, db, kept, encoded.Length);
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Records a command given as a sequence (a command cut by a segment boundary).</summary>
    public void Record(in ReadOnlySequence<byte> encoded, long endOffset, int db)
    {
        var slot = (int)(_count % _entries.Length);
        var kept = (int)Math.Min(encoded.Length, SlotBytes);
        encoded.Slice(0, kept).CopyTo(_bytes.AsSpan(slot * SlotBytes, kept));
        _entries[slot] = new Entry(endOffset, db, kept, (int)Math.Min(encoded.Length, int.MaxValue));
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>
    /// The recorded commands whose bytes end within <paramref name="range"/>, oldest first, and whether the log still
    /// reached back to the range's start (false: older commands of the range were forgotten).
    /// </summary>
    public (IReadOnlyList<LoggedCommand> Commands, bool Complete) Within(ForkRange range)
    {
        var count = Recorded;
        var oldest = Math.Max(0, count - _entries.Length);
        var found = new List<LoggedCommand>();
        // Complete when recording began at or before the range and nothing of the range has been overwritten since.
        var complete = CoveredFrom < range.First && count <= _entries.Length;
        for (var i = oldest; i < count; i++)
        {
            var entry = _entries[(int)(i % _entries.Length)];
            if (i == oldest && count > _entries.Length && CoveredFrom < range.First)
            {
                // The oldest command kept ends before the range: nothing of the range was forgotten.
                complete = entry.EndOffset < range.First;
            }
            if (entry.EndOffset < range.First || entry.EndOffset > range.Last) continue;
            var slot = (int)(i % _entries.Length);
            found.Add(Describe(_bytes.AsSpan(slot * SlotBytes, entry.Kept), entry));
        }
        return (found, complete);
    }

    private static LoggedCommand Describe(ReadOnlySpan<byte> kept, Entry entry)
    {
        var arguments = ReadArguments(kept, out var whole);
        var keys = new List<string>();
        var name = arguments.Count > 0 ? System.Text.Encoding.ASCII.GetString(arguments[0].ToArray()).ToUpperInvariant() : "?";
        if (arguments.Count > 0)
        {
            var indexes = new List<int>();
            KeyLocator.Locate(CommandTable.TryResolve(arguments, out var spec) ? spec : null, arguments, indexes);
            foreach (var i in indexes)
                if (i < arguments.Count) keys.Add(KeyText.Format(arguments[i].ToArray()));
        }
        return new LoggedCommand(entry.EndOffset, entry.Db, name, keys, whole && entry.Kept == entry.Length);
    }

    // The arguments that lie whole in the kept bytes (all of them unless the command was longer than a slot).
    private static List<ReadOnlySequence<byte>> ReadArguments(ReadOnlySpan<byte> kept, out bool whole)
    {
        var arguments = new List<ReadOnlySequence<byte>>();
        whole = false;
        var copy = kept.ToArray();
        var at = 0;
        if (!TryReadHeader(copy, ref at, (byte)'*', out var count)) return arguments;
        for (var i = 0; i < count; i++)
        {
            if (!TryReadHeader(copy, ref at, (byte)'$', out var length) || at + length + 2 > copy.Length) return arguments;
            arguments.Add(new ReadOnlySequence<byte>(copy, at, (int)length));
            at += (int)length + 2;
        }
        whole = true;
        return arguments;
    }

    private static bool TryReadHeader(byte[] bytes, ref int at, byte marker, out long value)
    {
        value = 0;
        if (at >= bytes.Length || bytes[at] != marker) return false;
        var end = bytes.AsSpan(at).IndexOf("\r\n"u8);
        if (end < 0 || !Utf8Parser.TryParse(bytes.AsSpan(at + 1, end - 1), out value, out _) || value < 0) return false;
        at += end + 2;
        return true;
    }

    private readonly record struct Entry(long EndOffset, int Db, int Kept, int Length);
}

/// <summary>One command of an <see cref="AppliedCommandLog"/>.</summary>
/// <param name="EndOffset">Replication offset its bytes end at.</param>
/// <param name="Db">Source database it ran in.</param>
/// <param name="Name">Command name (upper case).</param>
/// <param name="Keys">Its keys, as printable text; those beyond the kept bytes of a long command are missing.</param>
/// <param name="Whole">Every byte of the command was kept, so <see cref="Keys"/> is complete.</param>
public sealed record LoggedCommand(long EndOffset, int Db, string Name, IReadOnlyList<string> Keys, bool Whole);
