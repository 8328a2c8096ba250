namespace Shake.Core.Filters;

/// <summary>Decides, for each RDB entry and replicated command, whether it is written and to which database.</summary>
public interface IShakeFilter
{
    /// <summary>Decides for an RDB entry.</summary>
    FilterDecision OnEntry(in EntryFacts entry);

    /// <summary>Decides for a replicated command.</summary>
    FilterDecision OnCommand(in CommandFacts command);
}
