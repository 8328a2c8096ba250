using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Core.Writers;

namespace Shake.Core.Failover;

/// <summary>Which engine failures a supervisor mends by starting the engine again, and which it must not.</summary>
public static class EngineRestart
{
    /// <summary>
    /// Errors a restart repeats exactly: configuration, a key that exists under <c>panic</c>, a filter that asked to stop,
    /// a source database the target cannot hold, a sync running the opposite direction, a target that must be empty and
    /// is not.
    /// </summary>
    public static bool IsFatal(Exception e) =>
        e is TargetKeyExistsException or FilterStoppedException or ShakeConfigException or ArgumentException or NotSupportedException
            or Filters.Functions.LuaFunctionException or Checkpoints.OppositeSyncException or Checkpoints.TargetNotEmptyException or Engine.SourceDatabaseUnmappedException;
}
