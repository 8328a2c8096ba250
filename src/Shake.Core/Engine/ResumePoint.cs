using System.Globalization;

namespace Shake.Core.Engine;

/// <summary>
/// Where a cleanly stopped sync left off: the source's replication id, the offset every byte up to which is applied on
/// the target, and the database the stream was in. Saved under <see cref="EngineOptions.Directory"/> on a clean stop
/// and removed when a run starts, so only a run that stopped cleanly (nothing in flight) can be continued with
/// <c>PSYNC id offset+1</c>; after a crash the next run does a full sync.
/// </summary>
/// <param name="Source">Source address the stream came from.</param>
/// <param name="Target">Target address it was applied to.</param>
/// <param name="ReplicationId">The source's replication id.</param>
/// <param name="Offset">Replication offset applied on the target.</param>
/// <param name="Database">Source database selected at that offset.</param>
public sealed record ResumePoint(string Source, string Target, string ReplicationId, long Offset, int Database)
{
    /// <summary>File name under the engine's directory.</summary>
    public const string FileName = "resume-point";

    /// <summary>Writes the point to <paramref name="directory"/> (atomically: temp file then rename).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var temp = path + ".tmp";
        File.WriteAllLines(temp,
        [
            $"source {Source}", $"target {Target}", $"replid {ReplicationId}",
            $"offset {Offset.ToString(CultureInfo.InvariantCulture)}", $"db {Database.ToString(CultureInfo.InvariantCulture)}",
        ]);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads and deletes the point in <paramref name="directory"/>; null when there is none or it is unreadable.</summary>
    public static ResumePoint? Take(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var fields = File.ReadAllLines(path)
                .Select(l => l.Split(' ', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            return fields.TryGetValue("source", out var source) && fields.TryGetValue("target", out var target)
                && fields.TryGetValue("replid", out var id) && id.Length == 40
                && fields.TryGetValue("offset", out var o) && long.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                && fields.TryGetValue("db", out var d) && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var db)
                ? new ResumePoint(source, target, id, offset, db)
                : null;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
