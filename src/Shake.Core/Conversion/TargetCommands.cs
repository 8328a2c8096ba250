using Shake.Core.Writers;

namespace Shake.Core.Conversion;

/// <summary>Which optional commands a target server has, from its reported version.</summary>
public static class TargetCommands
{
    /// <summary>True when the target has per-field hash expiry (<c>HPEXPIREAT</c>): Redis 7.4 and later, Valkey 9 and later.</summary>
    public static bool HasHashFieldExpiry(TargetInfo info)
    {
        var parts = info.Version.Split('.');
        var major = parts.Length > 0 && int.TryParse(parts[0], out var m) ? m : 0;
        var minor = parts.Length > 1 && int.TryParse(parts[1], out var n) ? n : 0;
        return info.ServerName == "valkey" ? major >= 9 : major > 7 || (major == 7 && minor >= 4);
    }
}
