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
