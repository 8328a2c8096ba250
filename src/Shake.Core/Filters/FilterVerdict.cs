namespace Shake.Core.Filters;

/// <summary>What a filter decided for an entry or command.</summary>
public enum FilterVerdict
{
    /// <summary>Write it (to <see cref="FilterDecision.Db"/>).</summary>
    Pass,
    /// <summary>Leave it out; it is counted under <see cref="FilterDecision.Reason"/>.</summary>
    Drop,
    /// <summary>Stop the sync with <see cref="FilterDecision.Message"/>.</summary>
    Stop,
}
