using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Shake.Core.Commands;

/// <summary>
/// The Redis command table, generated from a real 7.0 server's <c>COMMAND INFO</c> and <c>COMMAND DOCS</c> (plus the
/// single-key hash commands of 7.4 and 8.0): looks commands up by the name bytes of a replicated command, without allocating.
/// </summary>
public static partial class CommandTable
{
    // Longer names are not Redis commands; they are looked up as unknown without copying.
    private const int MaxNameLength = 64;

    private static readonly FrozenDictionary<string, CommandSpec> ByName = Build();
    private static readonly FrozenDictionary<string, CommandSpec>.AlternateLookup<ReadOnlySpan<char>> ByNameSpan = ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Every top-level command the table knows.</summary>
    public static IReadOnlyCollection<CommandSpec> All => ByName.Values;

    /// <summary>Finds a command by name (case-insensitive).</summary>
    public static bool TryGet(string name, out CommandSpec spec) => ByName.TryGetValue(name, out spec!);

    /// <summary>Finds a command by its name as sent on the wire (case-insensitive, no allocation).</summary>
    public static bool TryGet(in ReadOnlySequence<byte> name, out CommandSpec spec)
    {
        spec = null!;
        if (name.Length is 0 or > MaxNameLength) return false;
        Span<char> chars = stackalloc char[MaxNameLength];
        var length = ToChars(name, chars);
        return ByNameSpan.TryGetValue(chars[..length], out spec!);
    }

    /// <summary>
    /// The spec that says where the keys of <paramref name="arguments"/> are: the sub-command's for containers such
    /// as <c>OBJECT</c> or <c>XINFO</c> when the sub-command is known, else the command's; false for unknown commands.
    /// </summary>
    public static bool TryResolve(IReadOnlyList<ReadOnlySequence<byte>> arguments, out CommandSpec spec)
    {
        if (arguments.Count == 0 || !TryGet(arguments[0], out spec))
        {
            spec = null!;
            return false;
        }
        if (spec.Subcommands is not null && arguments.Count > 1)
        {
            var sub = arguments[1];
            if (sub.Length is > 0 and <= MaxNameLength)
            {
                Span<char> chars = stackalloc char[MaxNameLength];
                var length = ToChars(sub, chars);
                if (spec.SubcommandLookup.TryGetValue(chars[..length], out var subSpec)) spec = subSpec;
            }
        }
        return true;
    }

    private static int ToChars(in ReadOnlySequence<byte> bytes, Span<char> chars)
    {
        Span<byte> copy = stackalloc byte[MaxNameLength];
        bytes.CopyTo(copy);
        var length = (int)bytes.Length;
        // Command names are ASCII; any other byte becomes a character no name has, so the lookup just misses.
        for (var i = 0; i < length; i++) chars[i] = copy[i] < 0x80 ? (char)copy[i] : '\uFFFD';
        return length;
    }

    private static FrozenDictionary<string, CommandSpec> Build()
    {
        var map = new Dictionary<string, CommandSpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in Newer()) map[spec.Name] = spec;
        foreach (var spec in Generated()) map[spec.Name] = spec;
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Describes a command name for messages (printable ASCII kept, other bytes escaped).</summary>
    public static string Describe(in ReadOnlySequence<byte> name)
    {
        var builder = new StringBuilder();
        foreach (var segment in name)
            foreach (var b in segment.Span)
                builder.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:x2}");
        return builder.ToString();
    }
}
