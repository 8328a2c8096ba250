using System.Security.Authentication;
using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Core.Spool;
using Shake.Core.Writers;
using Shake.Resp.Protocol;

namespace Shake.Core.Engine;

/// <summary>Which errors of an engine a restart would only repeat.</summary>
public static class EngineFailures
{
    /// <summary>
    /// True for errors a new attempt repeats exactly: configuration, a key that exists under <c>panic</c>, a filter that
    /// asked to stop, refused credentials or permissions, a certificate that does not verify, the spool's disk being
    /// full or failing, a source database the target cannot hold, a sync running the opposite direction, a target that
    /// must be empty and is not. False for the link failures a restart mends (drops, timeouts, refused connections).
    /// </summary>
    public static bool IsFatal(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is TargetKeyExistsException or FilterStoppedException or LuaFilterException or Filters.Functions.LuaFunctionException or ShakeConfigException
                or ArgumentException or NotSupportedException or SpoolFullException or SpoolStorageException or AuthenticationException
                or UnauthorizedAccessException or SourceDatabaseUnmappedException or Checkpoints.OppositeSyncException or Checkpoints.TargetNotEmptyException)
                return true;
            if (e is RedisServerException { Error.Kind: RespErrorKind.WrongPass or RespErrorKind.NoAuth or RespErrorKind.NoPerm })
                return true;
            // Handshake replies are carried as text: an ACL refusal there is as final as a typed one.
            if (e.Message.Contains("NOPERM", StringComparison.Ordinal) || e.Message.Contains("WRONGPASS", StringComparison.Ordinal)
                || e.Message.Contains("NOAUTH", StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
