namespace Shake.Testing;

/// <summary>
/// Locates the read-only <c>shared/</c> folder beside the repository (RDB corpus, toml-test, design files).
/// It exists for developers and CI, not on users' machines, so tests that use it skip when it is absent.
/// </summary>
public static class SharedAssets
{
    /// <summary>Full path of <c>shared/</c>, or null when it is absent. <c>SHAKE_SHARED_DIR</c> overrides the search.</summary>
    public static string? Root { get; } = Locate();

    /// <summary>Message used when a test skips because <c>shared/</c> is absent.</summary>
    public const string MissingMessage = "skipped: ../shared (RDB corpus, toml-test, design files) is not present beside the repository";

    /// <summary>Path under <c>shared/</c>, or null when <c>shared/</c> is absent.</summary>
    public static string? PathOf(params string[] parts) => Root is null ? null : Path.Combine([Root, .. parts]);

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("SHAKE_SHARED_DIR");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        // Walk up from the test binary to the repository root (the folder holding Shake.sln); shared/ sits beside it.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shake.sln")))
            {
                var shared = Path.Combine(dir.FullName, "..", "shared");
                return Directory.Exists(shared) ? Path.GetFullPath(shared) : null;
            }
        }
        return null;
    }
}
