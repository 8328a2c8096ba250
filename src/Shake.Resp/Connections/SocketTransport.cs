namespace Shake.Resp.Connections;

/// <summary>How a plain TCP connection moves bytes between its socket and its pipes (TLS always goes through <c>SslStream</c>).</summary>
public enum SocketTransport
{
    /// <summary><c>NetworkStream</c> adapted by <c>PipeReader.Create</c>/<c>PipeWriter.Create</c>: reads when the reader asks.</summary>
    Stream,

    /// <summary>
    /// Pipelines.Sockets.Unofficial's <c>SocketConnection</c>: its own loops fill the input pipe and drain the output
    /// pipe on the socket (up to the pipes' pause thresholds) without a stream in between.
    /// </summary>
    SocketConnection,
}
