namespace Shake.Core.Replication;

/// <summary>How the RDB payload is framed: <c>$&lt;len&gt;</c> (disk) or <c>$EOF:&lt;mark&gt;</c> (diskless).</summary>
/// <param name="Length">Payload length for a disk transfer, or -1 for diskless.</param>
/// <param name="EndMark">The 40-byte mark that follows a diskless payload, or null.</param>
public sealed record RdbTransfer(long Length, byte[]? EndMark)
{
    /// <summary>Length of the diskless end mark.</summary>
    public const int MarkLength = 40;

    /// <summary>True for a diskless (<c>$EOF:</c>) transfer.</summary>
    public bool IsDiskless => EndMark is not null;

    /// <summary>Parses the header line (without CRLF); throws naming the line when it is neither form.</summary>
    public static RdbTransfer Parse(string line, string endpoint)
    {
        if (line.StartsWith("$EOF:", StringComparison.Ordinal))
        {
            var mark = line[5..];
            if (mark.Length != MarkLength) throw new InvalidDataException($"{endpoint} sent a diskless RDB header with a {mark.Length}-byte mark, expected {MarkLength}: '{line}'");
            return new RdbTransfer(-1, System.Text.Encoding.ASCII.GetBytes(mark));
        }
        if (line.StartsWith('$') && long.TryParse(line.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length))
            return new RdbTransfer(length, null);
        if (line.StartsWith('-')) throw new IOException($"{endpoint} refused the full sync: {line[1..]}");
        throw new InvalidDataException($"{endpoint} sent '{Truncate(line)}' where Shake expected the RDB header ($<length> or $EOF:<mark>)");
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "..." : s;
}
