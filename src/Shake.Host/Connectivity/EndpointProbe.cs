using Shake.Core.Writers;
using Shake.Core.Configuration;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;

namespace Shake.Host.Connectivity;

/// <summary>
/// Checks that a configured source or target answers: connect (TLS when configured) and authenticate through
/// <see cref="RedisConnection"/>, then <c>PING</c> and <c>INFO server</c> for the version and mode.
/// </summary>
public static class EndpointProbe
{
    /// <summary>Probes <paramref name="instance"/>, giving up after <paramref name="timeout"/>.</summary>
    public static async Task<ProbeResult> ProbeAsync(RedisInstanceOptions instance, TimeSpan timeout, CancellationToken cancellation)
    {
        var options = instance.ToConnectionOptions() with { ConnectTimeout = timeout, ReadTimeout = timeout, ClientName = "shake-validate" };
        RedisConnection connection;
        try
        {
            connection = await RedisConnection.ConnectAsync(options, cancellation);
        }
        catch (RedisServerException e) when (e.Error.Kind == RespErrorKind.NoAuth && !instance.HasPassword)
        {
            return new ProbeResult(ProbeOutcome.AuthenticationFailed, $"authentication failed: the server requires a password, but none is configured ({e.Error.Message})");
        }
        catch (RedisServerException e) when (e.Error.Kind is RespErrorKind.WrongPass or RespErrorKind.NoAuth or RespErrorKind.NoPerm
                                             || e.Error.Message.Contains("AUTH", StringComparison.Ordinal))
        {
            return new ProbeResult(ProbeOutcome.AuthenticationFailed, $"authentication failed: {e.Error.Message}");
        }
        catch (RedisServerException e)
        {
            return new ProbeResult(ProbeOutcome.ProtocolError, $"handshake failed: {e.Error.Message}");
        }
        catch (RedisConnectionException e)
        {
            return new ProbeResult(ProbeOutcome.Unreachable, e.Message);
        }

        await using (connection)
        {
            try
            {
                var pong = await connection.ExecuteAsync(["PING"], cancellation);
                if (pong.IsError)
                {
                    var error = pong.AsError();
                    return error.Kind == RespErrorKind.NoAuth
                        ? new ProbeResult(ProbeOutcome.AuthenticationFailed, $"authentication failed: the server requires a password, but none is configured ({error.Message})")
                        : new ProbeResult(ProbeOutcome.ProtocolError, $"PING failed: {error.Message}");
                }
                var info = await connection.ExecuteAsync(["INFO", "server"], cancellation);
                if (info.IsError) return new ProbeResult(ProbeOutcome.ProtocolError, $"INFO server failed: {info.AsError().Message}");
                var fields = InfoFields.Parse(info.AsString() ?? "");
                var version = fields.GetValueOrDefault("valkey_version") is { } valkey ? $"Valkey {valkey}"
                    : fields.GetValueOrDefault("redis_version") is { } redis ? $"Redis {redis}" : "unknown version";
                var mode = fields.GetValueOrDefault("server_mode") ?? fields.GetValueOrDefault("redis_mode");
                return new ProbeResult(ProbeOutcome.Reachable, mode is null ? version : $"{version} ({mode})",
                    fields.GetValueOrDefault("redis_version"), mode);
            }
            catch (RedisConnectionException e)
            {
                return new ProbeResult(ProbeOutcome.Unreachable, e.Message);
            }
        }
    }
}
