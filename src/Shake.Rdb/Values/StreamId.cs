namespace Shake.Rdb.Values;

/// <summary>A stream entry id <c>ms-seq</c>.</summary>
public readonly record struct StreamId(ulong Milliseconds, ulong Sequence) : IComparable<StreamId>
{
    /// <summary>Orders by milliseconds, then sequence, like the server.</summary>
    public int CompareTo(StreamId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    /// <summary>True for 0-0.</summary>
    public bool IsZero => Milliseconds == 0 && Sequence == 0;

    /// <summary><c>ms-seq</c>.</summary>
    public override string ToString() => $"{Milliseconds}-{Sequence}";
}
