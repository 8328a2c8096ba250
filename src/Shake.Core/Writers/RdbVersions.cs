namespace Shake.Core.Writers;

/// <summary>The RDB version each server release writes (and so the newest DUMP payload it accepts in RESTORE).</summary>
public static class RdbVersions
{
    /// <summary>
    /// The RDB version for a server version string such as <c>7.0.15</c>; <paramref name="isValkey"/> for Valkey's own
    /// numbering (Valkey 7.2 and 8.x write RDB 11 like Redis 7.2; Valkey 9 writes its own format 80).
    /// </summary>
    public static int ForServer(string version, bool isValkey = false)
    {
        var parts = version.Split('.');
        var major = parts.Length > 0 && int.TryParse(parts[0], out var m) ? m : 0;
        var minor = parts.Length > 1 && int.TryParse(parts[1], out var n) ? n : 0;
        if (isValkey) return major >= 9 ? 80 : 11;
        return (major, minor) switch
        {
            ( >= 9, _) => 13,
            (8, >= 6) => 13,
            (8, _) => 12,
            (7, >= 4) => 12,
            (7, >= 2) => 11,
            (7, _) => 10,
            (6, _) => 9,
            (5, _) => 9,
            (4, _) => 8,
            (3, >= 2) => 7,
            (3, _) => 6,
            _ => 6,
        };
    }
}
