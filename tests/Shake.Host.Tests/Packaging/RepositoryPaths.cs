namespace Shake.Host.Tests.Packaging;

/// <summary>Files of the repository the tests read (scripts, docker/), found by walking up to the folder holding Shake.sln.</summary>
internal static class RepositoryPaths
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = Locate();

    /// <summary>A path under the repository root.</summary>
    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shake.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Shake.sln above {AppContext.BaseDirectory}");
    }
}
