namespace Shake.Testing;

/// <summary>One key that differs between source and target.</summary>
/// <param name="Db">Database number.</param>
/// <param name="Key">The key (non-printable bytes shown as <c>\xHH</c>).</param>
/// <param name="What">What differs: <c>missing on target</c>, <c>extra on target</c>, <c>type</c>, <c>value</c>, <c>ttl</c>.</param>
/// <param name="Source">The source side's type, value or TTL (shortened).</param>
/// <param name="Target">The target side's type, value or TTL (shortened).</param>
public sealed record KeyDifference(int Db, string Key, string What, string Source, string Target)
{
    /// <inheritdoc />
    public override string ToString() => $"db{Db} '{Key}': {What}: source {Source} | target {Target}";
}
