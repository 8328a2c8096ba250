namespace Shake.Core.Filters;

/// <summary>Why an entry or command was dropped.</summary>
public enum FilterReason
{
    /// <summary>Not dropped.</summary>
    None,
    /// <summary>Its database is not in <c>allow_db</c> or is in <c>block_db</c>.</summary>
    Db,
    /// <summary>Its key (every key, for a multi-key command) is not allowed or is blocked.</summary>
    Key,
    /// <summary>A multi-key command whose keys disagree: some pass the key lists and some do not.</summary>
    MixedKeys,
    /// <summary>Its command is not in <c>allow_command</c> or is in <c>block_command</c>.</summary>
    Command,
    /// <summary>Its command group (an RDB entry's: its type's group) is not allowed or is blocked.</summary>
    CommandGroup,
    /// <summary>The Lua filter script returned 1.</summary>
    Script,
    /// <summary>The v4 <c>[filter] function</c> emitted no command for it.</summary>
    Function,
}
