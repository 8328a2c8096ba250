using System.Buffers;
using System.Text;

namespace Shake.Core.Replication;

/// <summary>Decides what happens to a command of the replication stream from its name (and first argument for REPLCONF).</summary>
public static class StreamCommandClassifier
{
    /// <summary>Classifies a command given its name and, when present, its first argument.</summary>
    public static StreamCommandKind Classify(in ReadOnlySequence<byte> name, in ReadOnlySequence<byte> firstArgument)
    {
        // Command names are at most a few bytes; anything longer is an ordinary command.
        if (name.Length > 8) return StreamCommandKind.Forward;
        Span<byte> nameBytes = stackalloc byte[8];
        name.CopyTo(nameBytes);
        Span<byte> argumentBytes = stackalloc byte[SentinelHello.Length];
        var argument = firstArgument.Length == 6 || firstArgument.Length == SentinelHello.Length ? argumentBytes[..(int)firstArgument.Length] : default;
        if (!argument.IsEmpty) firstArgument.CopyTo(argument);
        return Classify(nameBytes[..(int)name.Length], argument);
    }

    /// <summary>Classifies a command given its name and, when present, its first argument.</summary>
    public static StreamCommandKind Classify(ReadOnlySpan<byte> name, ReadOnlySpan<byte> firstArgument)
    {
        // Every name that matters is 4 to 8 bytes long; a data command of another length is decided at once.
        switch (name.Length)
        {
            case 4:
                if (Is(name, "PING"u8)) return StreamCommandKind.Ping;
                if (Is(name, "EXEC"u8)) return StreamCommandKind.Exec;
                return StreamCommandKind.Forward;
            case 5:
                return Is(name, "MULTI"u8) ? StreamCommandKind.Multi : StreamCommandKind.Forward;
            case 6:
                return Is(name, "SELECT"u8) ? StreamCommandKind.Select : StreamCommandKind.Forward;
            case 7:
                // A sentinel's hello message, published through the master it watches: meant for that deployment's
                // sentinels, never for the target's (which would take the source's sentinels for their own).
                return Is(name, "PUBLISH"u8) && firstArgument.SequenceEqual(SentinelHello) ? StreamCommandKind.SentinelHello : StreamCommandKind.Forward;
            case 8:
                if (!Is(name, "REPLCONF"u8)) return StreamCommandKind.Forward;
                return Is(firstArgument, "GETACK"u8) ? StreamCommandKind.GetAck : StreamCommandKind.ReplConf;
            default:
                return StreamCommandKind.Forward;
        }
    }

    // The channel sentinels announce themselves on (case matters for channel names).
    private static ReadOnlySpan<byte> SentinelHello => "__sentinel__:hello"u8;

    /// <summary>Parses the database number of a <c>SELECT</c>; throws naming the bad value.</summary>
    public static int ParseDb(in ReadOnlySequence<byte> argument)
    {
        if (argument.Length is 0 or > 10) throw BadDb(Encoding.UTF8.GetString(argument));
        Span<byte> digits = stackalloc byte[10];
        argument.CopyTo(digits);
        return ParseDb(digits[..(int)argument.Length]);
    }

    /// <summary>Parses the database number of a <c>SELECT</c>; throws naming the bad value.</summary>
    public static int ParseDb(ReadOnlySpan<byte> argument)
    {
        if (argument.Length is 0 or > 10 || !System.Buffers.Text.Utf8Parser.TryParse(argument, out int db, out var used) || used != argument.Length || db < 0)
            throw BadDb(Encoding.UTF8.GetString(argument));
        return db;
    }

    private static FormatException BadDb(string argument) =>
        new($"the replication stream sent SELECT with an invalid database '{argument}'");

    private static bool Is(ReadOnlySpan<byte> value, ReadOnlySpan<byte> upper)
    {
        if (value.Length != upper.Length) return false;
        for (var i = 0; i < value.Length; i++)
            if ((value[i] & 0xDF) != upper[i]) return false;
        return true;
    }
}
