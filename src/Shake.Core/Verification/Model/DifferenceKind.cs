namespace Shake.Core.Verification.Model;

/// <summary>How a key differs between source and target.</summary>
public enum DifferenceKind : byte
{
    /// <summary>On the source, not on the target.</summary>
    MissingOnTarget,
    /// <summary>On the target, not on the source (and within what the configuration maps).</summary>
    ExtraOnTarget,
    /// <summary>Both sides hold it with different types.</summary>
    Type,
    /// <summary>Same type, different value.</summary>
    Value,
    /// <summary>Same value, expiries further apart than the tolerance (or only one side expires).</summary>
    Ttl,
}

/// <summary>Names of <see cref="DifferenceKind"/> values as the report writes them.</summary>
public static class DifferenceKinds
{
    /// <summary>Every kind, in report order.</summary>
    public static IReadOnlyList<DifferenceKind> All { get; } = Enum.GetValues<DifferenceKind>();

    /// <summary><c>missing</c>, <c>extra</c>, <c>type</c>, <c>value</c> or <c>ttl</c>.</summary>
    public static string Name(this DifferenceKind kind) => kind switch
    {
        DifferenceKind.MissingOnTarget => "missing",
        DifferenceKind.ExtraOnTarget => "extra",
        DifferenceKind.Type => "type",
        DifferenceKind.Value => "value",
        _ => "ttl",
    };
}
