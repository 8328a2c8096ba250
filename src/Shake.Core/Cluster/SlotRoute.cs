using System.Buffers;
using Shake.Core.Commands;
using Shake.Core.Routing;
using Shake.Resp.Protocol;

namespace Shake.Core.Cluster;

/// <summary>Where a command of the replication stream goes in a cluster.</summary>
internal enum SlotRouteKind
{
    /// <summary>Every key is in one slot (<see cref="SlotRoute.Slot"/>).</summary>
    Single,

    /// <summary>No key: sent to the master of slot 0 (a keyless script, for example).</summary>
    Keyless,

    /// <summary>No key, and every master needs it: <c>FLUSHALL</c>, <c>FLUSHDB</c>, <c>FUNCTION …</c>, <c>SCRIPT …</c>.</summary>
    Broadcast,

    /// <summary>Keys in several slots, and the command keeps its meaning when split per slot (MSET, DEL, UNLINK, TOUCH).</summary>
    Split,

    /// <summary>Keys in several slots, and splitting would change the meaning: refused.</summary>
    CrossSlot,

    /// <summary>MULTI.</summary>
    Multi,

    /// <summary>EXEC.</summary>
    Exec,
}

/// <summary>
/// Reads a stream command's keys (from the command table's key specs) and decides where it goes in a cluster; splits
/// the commands that may be split into one command per slot. One per writer: it reuses its lists and is not thread-safe.
/// </summary>
internal sealed class SlotRoute
{
    private readonly List<ReadOnlySequence<byte>> _arguments = new(16);
    private readonly List<int> _keys = new(8);
    private readonly List<int> _slots = new(8);

    /// <summary>The slot of a <see cref="SlotRouteKind.Single"/> command.</summary>
    public int Slot { get; private set; }

    /// <summary>The command's arguments, valid until the next <see cref="Analyze"/>.</summary>
    public List<ReadOnlySequence<byte>> Arguments => _arguments;

    /// <summary>The command's name for messages (upper case).</summary>
    public string Name => _arguments.Count == 0 ? "" : CommandTable.Describe(_arguments[0]);

    /// <summary>The distinct slots of the command's keys, in the order they first appear.</summary>
    public IReadOnlyList<int> Slots => _slots;

    /// <summary>Reads the command encoded in the first <paramref name="length"/> bytes of <paramref name="buffer"/> and decides its route.</summary>
    public SlotRouteKind Analyze(byte[] buffer, int length)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, 0, length));
        if (!RespReader.TryReadCommand(ref reader, _arguments) || _arguments.Count == 0)
            throw new InvalidDataException("the replication stream sent a command that is not a complete RESP array");
        _slots.Clear();
        var name = _arguments[0].FirstSpan;
        if (Is(name, "MULTI"u8)) return SlotRouteKind.Multi;
        if (Is(name, "EXEC"u8)) return SlotRouteKind.Exec;
        CommandTable.TryResolve(_arguments, out var spec);
        KeyLocator.Locate(spec, _arguments, _keys);
        if (_keys.Count == 0)
        {
            return Is(name, "FLUSHALL"u8) || Is(name, "FLUSHDB"u8) || Is(name, "FUNCTION"u8) || Is(name, "SCRIPT"u8)
                ? SlotRouteKind.Broadcast
                : SlotRouteKind.Keyless;
        }
        foreach (var index in _keys)
        {
            var slot = ClusterSlot.Of(_arguments[index].FirstSpan);
            if (!_slots.Contains(slot)) _slots.Add(slot);
        }
        Slot = _slots[0];
        if (_slots.Count == 1) return SlotRouteKind.Single;
        return Is(name, "MSET"u8) || Is(name, "DEL"u8) || Is(name, "UNLINK"u8) || Is(name, "TOUCH"u8)
            ? SlotRouteKind.Split
            : SlotRouteKind.CrossSlot;
    }

    /// <summary>
    /// Writes the part of the last <see cref="SlotRouteKind.Split"/> command that belongs to <paramref name="slot"/>
    /// (the same command with only that slot's keys, and for MSET their values) into <paramref name="output"/>.
    /// </summary>
    public void WritePart(int slot, IBufferWriter<byte> output)
    {
        var pairs = Is(_arguments[0].FirstSpan, "MSET"u8);
        var step = pairs ? 2 : 1;
        var count = 1;
        for (var i = 1; i + step - 1 < _arguments.Count; i += step)
            if (ClusterSlot.Of(_arguments[i].FirstSpan) == slot) count += step;
        RespCommandWriter.WriteArrayHeader(output, count);
        RespCommandWriter.WriteBulk(output, _arguments[0]);
        for (var i = 1; i + step - 1 < _arguments.Count; i += step)
        {
            if (ClusterSlot.Of(_arguments[i].FirstSpan) != slot) continue;
            RespCommandWriter.WriteBulk(output, _arguments[i]);
            if (pairs) RespCommandWriter.WriteBulk(output, _arguments[i + 1]);
        }
    }

    /// <summary>The first key argument of a command encoded in <paramref name="buffer"/> (for messages), or empty.</summary>
    public static byte[] FirstArgument(byte[] buffer, int length)
    {
        var arguments = new List<ReadOnlySequence<byte>>(4);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, 0, length));
        return RespReader.TryReadCommand(ref reader, arguments) && arguments.Count > 1 ? arguments[1].ToArray() : [];
    }

    /// <summary>The slot of a command's first argument (the key of every command an entry converter writes), or -1.</summary>
    public int SlotOfFirstArgument(byte[] buffer, int length)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, 0, length));
        if (!RespReader.TryReadCommand(ref reader, _arguments) || _arguments.Count < 2) return -1;
        return ClusterSlot.Of(_arguments[1].FirstSpan);
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> upper) =>
        name.Length == upper.Length && System.Text.Ascii.EqualsIgnoreCase(name, upper);
}
