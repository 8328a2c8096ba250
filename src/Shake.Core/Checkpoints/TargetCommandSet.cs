using System.Buffers;
using Shake.Resp.Protocol;

namespace Shake.Core.Checkpoints;

/// <summary>
/// The commands a target accepts, with their arity, read once from its <c>COMMAND</c> reply (sub-commands from Redis
/// 7.0 on). Inside <c>MULTI</c> a command the server refuses while queuing (unknown, wrong number of arguments) aborts
/// the whole transaction, so the writer checks each forwarded command here first: one the target would refuse anyway
/// is not sent.
/// </summary>
public sealed class TargetCommandSet
{
    // Lower-case name (or "container|sub") -> arity; containers are listed with their arity and in _containers.
    private readonly Dictionary<string, int> _arity = new(StringComparer.Ordinal);
    private readonly HashSet<string> _containers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _containerLookup;

    private TargetCommandSet()
    {
        _lookup = _arity.GetAlternateLookup<ReadOnlySpan<char>>();
        _containerLookup = _containers.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of commands and sub-commands known.</summary>
    public int Count => _arity.Count;

    /// <summary>Builds the set from a <c>COMMAND</c> reply; null when the reply is not understood (then every command is sent).</summary>
    public static TargetCommandSet? FromCommandReply(RespValue reply)
    {
        if (reply.IsError || reply.Kind != RespKind.Array || reply.Items.Count == 0) return null;
        var set = new TargetCommandSet();
        foreach (var command in reply.Items) set.Add(command, null);
        return set.Count == 0 ? null : set;
    }

    private void Add(RespValue command, string? container)
    {
        if (command.Kind != RespKind.Array || command.Items.Count < 2) return;
        var name = command.Items[0].AsString()?.ToLowerInvariant();
        if (name is null || command.Items[1].Kind != RespKind.Integer) return;
        _arity[name] = (int)command.Items[1].Integer;
        // Redis 7: the 10th element lists sub-commands, each named "container|sub".
        if (container is null && command.Items.Count >= 10 && command.Items[9].Kind == RespKind.Array && command.Items[9].Items.Count > 0)
        {
            _containers.Add(name);
            foreach (var sub in command.Items[9].Items) Add(sub, name);
        }
    }

    /// <summary>
    /// True when the target would queue the command whose name, first argument and argument count (the name included)
    /// are given; false when it would refuse it as unknown or for its number of arguments.
    /// </summary>
    public bool Accepts(ReadOnlySpan<byte> name, ReadOnlySpan<byte> firstArgument, int argumentCount)
    {
        if (name.Length is 0 or > 48) return false;
        Span<char> text = stackalloc char[48 + 1 + 64];
        var length = Lower(name, text);
        if (!_lookup.TryGetValue(text[..length], out var arity)) return false;
        if (!Fits(arity, argumentCount)) return false;
        if (!_containerLookup.Contains(text[..length]) || firstArgument.Length is 0 or > 64) return true;
        text[length] = '|';
        var full = length + 1 + Lower(firstArgument, text[(length + 1)..]);
        return !_lookup.TryGetValue(text[..full], out var subArity) ? false : Fits(subArity, argumentCount);
    }

    private static bool Fits(int arity, int count) => arity >= 0 ? count == arity : count >= -arity;

    private static int Lower(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            destination[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
        }
        return bytes.Length;
    }
}

/// <summary>The start of an encoded command: its argument count, name and first argument, read from its first bytes.</summary>
public readonly ref struct CommandHead
{
    private CommandHead(int count, ReadOnlySpan<byte> name, ReadOnlySpan<byte> first)
    {
        ArgumentCount = count;
        Name = name;
        FirstArgument = first;
    }

    /// <summary>Arguments including the name.</summary>
    public int ArgumentCount { get; }

    /// <summary>The command's name as sent.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The first argument (empty when there is none or it does not fit the prefix read).</summary>
    public ReadOnlySpan<byte> FirstArgument { get; }

    /// <summary>Reads the head from <paramref name="prefix"/>, the command's first bytes; false when they do not hold the name.</summary>
    public static bool TryRead(ReadOnlySpan<byte> prefix, out CommandHead head)
    {
        head = default;
        var position = 0;
        if (!TryHeader(prefix, ref position, (byte)'*', out var count) || count < 1) return false;
        if (!TryHeader(prefix, ref position, (byte)'$', out var nameLength) || position + nameLength + 2 > prefix.Length) return false;
        var name = prefix.Slice(position, nameLength);
        position += nameLength + 2;
        ReadOnlySpan<byte> first = default;
        if (count > 1 && TryHeader(prefix, ref position, (byte)'$', out var firstLength) && position + firstLength <= prefix.Length)
            first = prefix.Slice(position, firstLength);
        head = new CommandHead(count, name, first);
        return true;
    }

    /// <summary>Reads the head of a command held in a sequence (its first 512 bytes are enough).</summary>
    public static bool TryRead(in ReadOnlySequence<byte> encoded, Span<byte> scratch, out CommandHead head)
    {
        if (encoded.IsSingleSegment) return TryRead(encoded.FirstSpan, out head);
        var length = (int)Math.Min(encoded.Length, scratch.Length);
        encoded.Slice(0, length).CopyTo(scratch);
        return TryRead(scratch[..length], out head);
    }

    private static bool TryHeader(ReadOnlySpan<byte> input, ref int position, byte marker, out int value)
    {
        value = 0;
        if (position >= input.Length || input[position] != marker) return false;
        var i = position + 1;
        while (i < input.Length && input[i] != (byte)'\r')
        {
            var digit = input[i] - '0';
            if ((uint)digit > 9 || value > 100_000_000) return false;
            value = value * 10 + digit;
            i++;
        }
        if (i + 1 >= input.Length || input[i + 1] != (byte)'\n') return false;
        position = i + 2;
        return true;
    }
}
