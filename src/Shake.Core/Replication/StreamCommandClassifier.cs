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
        Span<byte> buffer = stackalloc byte[8];
        name.CopyTo(buffer);
        var span = buffer[..(int)name.Length];
        if (Is(span, "PING"u8)) return StreamCommandKind.Ping;
        if (Is(span, "SELECT"u8)) return StreamCommandKind.Select;
        if (Is(span, "MULTI"u8)) return StreamCommandKind.Multi;
        if (Is(span, "EXEC"u8)) return StreamCommandKind.Exec;
        if (Is(span, "REPLCONF"u8))
        {
            if (firstArgument.Length == 6)
            {
                Span<byte> arg = stackalloc byte[6];
                firstArgument.CopyTo(arg);
                if (Is(arg, "GETACK"u8)) return StreamCommandKind.GetAck;
            }
            return StreamCommandKind.ReplConf;
        }
        return StreamCommandKind.Forward;
    }

    /// <summary>Parses the database number of a <c>SELECT</c>; throws naming the bad value.</summary>
    public static int ParseDb(in ReadOnlySequence<byte> argument)
    {
        Span<byte> digits = stackalloc byte[11];
        if (argument.Length is 0 or > 10) throw BadDb(argument);
        argument.CopyTo(digits);
        if (!System.Buffers.Text.Utf8Parser.TryParse(digits[..(int)argument.Length], out int db, out var used) || used != argument.Length || db < 0)
            throw BadDb(argument);
        return db;
    }

    private static FormatException BadDb(in ReadOnlySequence<byte> argument) =>
        new($"the replication stream sent SELECT with an invalid database '{Encoding.UTF8.GetString(argument)}'");

    private static bool Is(ReadOnlySpan<byte> value, ReadOnlySpan<byte> upper)
    {
        if (value.Length != upper.Length) return false;
        for (var i = 0; i < value.Length; i++)
            if ((value[i] & 0xDF) != upper[i]) return false;
        return true;
    }
}
