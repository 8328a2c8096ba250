using Xunit;

namespace Shake.Testing;

/// <summary>A fact that needs <c>../shared</c>; skipped with a clear message when it is absent.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <c>shared/</c> is absent.</summary>
    public SharedFactAttribute()
    {
        if (SharedAssets.Root is null) Skip = SharedAssets.MissingMessage;
    }
}

/// <summary>A theory that needs <c>../shared</c>; skipped with a clear message when it is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <c>shared/</c> is absent.</summary>
    public SharedTheoryAttribute()
    {
        if (SharedAssets.Root is null) Skip = SharedAssets.MissingMessage;
    }
}

/// <summary>A fact that needs a Valkey server (see <see cref="RedisBinaries.ValkeyServer"/>); skipped with a clear message when there is none.</summary>
public sealed class ValkeyFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no valkey-server is found.</summary>
    public ValkeyFactAttribute()
    {
        if (RedisBinaries.ValkeyServer is null)
            Skip = "needs a valkey-server: set SHAKE_VALKEY_SERVER to its path, put it on PATH, or have ../shared/servers beside the repository (none is packaged for this Debian release)";
    }
}
