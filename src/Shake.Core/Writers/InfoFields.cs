namespace Shake.Core.Writers;

/// <summary>Parses the <c>field:value</c> lines of an INFO reply.</summary>
public static class InfoFields
{
    /// <summary>Every <c>field:value</c> line of <paramref name="info"/>.</summary>
    public static Dictionary<string, string> Parse(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':');
            if (colon <= 0 || line.StartsWith('#')) continue;
            fields[line[..colon]] = line[(colon + 1)..];
        }
        return fields;
    }
}
