namespace Shake.Resp.Connections;

/// <summary>A connection to a server could not be made, was dropped, timed out, or carried malformed data.</summary>
public sealed class RedisConnectionException : IOException
{
    /// <summary>Creates the exception; the message should name the endpoint.</summary>
    public RedisConnectionException(string endpoint, string message, Exception? inner = null)
        : base(message, inner)
    {
        Endpoint = endpoint;
    }

    /// <summary>The server's <c>host:port</c>.</summary>
    public string Endpoint { get; }
}
