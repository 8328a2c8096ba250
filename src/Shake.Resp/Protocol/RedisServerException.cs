namespace Shake.Resp.Protocol;

/// <summary>Thrown on cold paths (handshake, one-off commands) when a server answers with an error reply.</summary>
public sealed class RedisServerException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/> returned by <paramref name="endpoint"/> to <paramref name="command"/>.</summary>
    public RedisServerException(RespError error, string? endpoint, string? command)
        : base($"{(endpoint is null ? "server" : endpoint)} answered {(command is null ? "" : command + " ")}with error: {error.Message}")
    {
        Error = error;
        Endpoint = endpoint;
    }

    /// <summary>The error reply.</summary>
    public RespError Error { get; }

    /// <summary>The server's <c>host:port</c>, when known.</summary>
    public string? Endpoint { get; }
}
