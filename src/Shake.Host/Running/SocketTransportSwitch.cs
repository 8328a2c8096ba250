using Shake.Resp.Connections;

namespace Shake.Host.Running;

/// <summary>
/// <c>SHAKE_SOCKET_TRANSPORT=socketconnection</c> (or <c>stream</c>) picks how plain TCP connections reach their pipes,
/// for comparing the two in the end-to-end benchmarks; unset keeps the library's default.
/// </summary>
internal static class SocketTransportSwitch
{
    public const string Variable = "SHAKE_SOCKET_TRANSPORT";

    public static RedisConnectionOptions Apply(RedisConnectionOptions options) =>
        Environment.GetEnvironmentVariable(Variable)?.ToLowerInvariant() switch
        {
            "socketconnection" => options with { Transport = SocketTransport.SocketConnection },
            "stream" => options with { Transport = SocketTransport.Stream },
            _ => options,
        };
}
