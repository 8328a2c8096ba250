using System.Globalization;
using Shake.Core.Writers;

namespace Shake.Core.Failover;

/// <summary>
/// The history a server can continue, as its <c>INFO replication</c> states it: its replication id and offset, the
/// id it had before its last promotion (<c>master_replid2</c>) valid up to <c>second_repl_offset</c>, and the range its
/// backlog holds.
/// </summary>
/// <param name="Role"><c>master</c> or <c>slave</c>.</param>
/// <param name="ReplicationId"><c>master_replid</c>.</param>
/// <param name="Offset"><c>master_repl_offset</c>: the last byte of its history.</param>
/// <param name="PreviousReplicationId"><c>master_replid2</c>: the id of the history it followed before its promotion (all zeros when none).</param>
/// <param name="SecondOffset"><c>second_repl_offset</c>: the first byte that is no longer shared with <see cref="PreviousReplicationId"/>'s history (-1 when none).</param>
/// <param name="BacklogFirstByte"><c>repl_backlog_first_byte_offset</c>: the oldest byte its backlog holds.</param>
/// <param name="BacklogLength"><c>repl_backlog_histlen</c>: how many bytes the backlog holds.</param>
public sealed record ReplicationInfo(string Role, string ReplicationId, long Offset, string PreviousReplicationId, long SecondOffset, long BacklogFirstByte, long BacklogLength)
{
    /// <summary>Reads the fields from an <c>INFO replication</c> reply; missing numbers are -1, missing ids empty.</summary>
    public static ReplicationInfo Parse(string info)
    {
        var fields = InfoFields.Parse(info);
        long Number(string name) => fields.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : -1;
        return new ReplicationInfo(
            fields.GetValueOrDefault("role", ""),
            fields.GetValueOrDefault("master_replid", ""),
            Number("master_repl_offset"),
            fields.GetValueOrDefault("master_replid2", ""),
            Number("second_repl_offset"),
            Number("repl_backlog_first_byte_offset"),
            Number("repl_backlog_histlen"));
    }

    /// <summary>The last byte its backlog holds (the backlog may end before <see cref="Offset"/> on a replica that has not fed it yet).</summary>
    public long BacklogLastByte => BacklogFirstByte + BacklogLength - 1;
}
