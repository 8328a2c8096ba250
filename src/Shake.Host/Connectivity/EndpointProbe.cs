using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Shake.Core.Configuration;

namespace Shake.Host.Connectivity;

/// <summary>
/// Checks that an endpoint answers: connect (TLS when configured), <c>AUTH</c> when a password is set, <c>PING</c>,
/// and <c>INFO server</c> for the version. It speaks just enough RESP for these few replies, so <c>shake validate</c>
/// works on its own; the engine uses the full client in Shake.Resp.
/// </summary>
public static class EndpointProbe
{
    /// <summary>Probes <paramref name="endpoint"/>, giving up after <paramref name="timeout"/>.</summary>
    public static async Task<ProbeResult> ProbeAsync(RedisEndpoint endpoint, TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient { NoDelay = true };
        Stream stream;
        try
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token);
            stream = client.GetStream();
            if (endpoint.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = endpoint.Host }, deadline.Token);
                stream = tls;
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new ProbeResult(ProbeOutcome.Unreachable, $"no connection within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return new ProbeResult(ProbeOutcome.Unreachable, $"cannot connect: {e.Message}");
        }

        await using var _ = stream;
        var connection = new Exchange(stream);
        try
        {
            if (endpoint.HasPassword)
            {
                string[] auth = endpoint.Username.Length > 0 ? ["AUTH", endpoint.Username, endpoint.Password] : ["AUTH", endpoint.Password];
                var reply = await connection.CallAsync(auth, deadline.Token);
                if (reply.IsError)
                    return new ProbeResult(ProbeOutcome.AuthenticationFailed, $"authentication failed: {reply.Text}");
            }
            var pong = await connection.CallAsync(["PING"], deadline.Token);
            if (pong.IsError)
            {
                return pong.Text.StartsWith("NOAUTH", StringComparison.Ordinal)
                    ? new ProbeResult(ProbeOutcome.AuthenticationFailed, $"authentication failed: the server requires a password, but none is configured ({pong.Text})")
                    : new ProbeResult(ProbeOutcome.ProtocolError, $"PING failed: {pong.Text}");
            }
            var info = await connection.CallAsync(["INFO", "server"], deadline.Token);
            if (info.IsError) return new ProbeResult(ProbeOutcome.ProtocolError, $"INFO server failed: {info.Text}");
            var fields = ParseInfo(info.Text);
            var version = fields.GetValueOrDefault("valkey_version") is { } valkey ? $"Valkey {valkey}"
                : fields.GetValueOrDefault("redis_version") is { } redis ? $"Redis {redis}" : "unknown version";
            var mode = fields.GetValueOrDefault("redis_mode") ?? fields.GetValueOrDefault("server_mode");
            return new ProbeResult(ProbeOutcome.Reachable, mode is null ? version : $"{version} ({mode})",
                fields.GetValueOrDefault("redis_version"), mode);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new ProbeResult(ProbeOutcome.Unreachable, $"connected, but no reply within {timeout.TotalSeconds:0.#} s");
        }
        catch (IOException e)
        {
            return new ProbeResult(ProbeOutcome.Unreachable, $"connection lost: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            return new ProbeResult(ProbeOutcome.ProtocolError, e.Message);
        }
    }

    private static Dictionary<string, string> ParseInfo(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && !line.StartsWith('#')) fields[line[..colon]] = line[(colon + 1)..].TrimEnd('\r');
        }
        return fields;
    }

    private readonly record struct Reply(bool IsError, string Text);

    /// <summary>Sends one command and reads its reply: simple strings, errors, integers and bulk strings are all it needs.</summary>
    private sealed class Exchange(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async Task<Reply> CallAsync(string[] args, CancellationToken cancellation)
        {
            var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
            foreach (var arg in args)
                request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellation);
            await stream.FlushAsync(cancellation);

            var line = await ReadLineAsync(cancellation);
            if (line.Length == 0) throw new InvalidDataException("empty reply line");
            switch (line[0])
            {
                case '+' or ':': return new Reply(false, line[1..]);
                case '-': return new Reply(true, line[1..]);
                case '$':
                    if (!int.TryParse(line.AsSpan(1), out var length)) throw new InvalidDataException($"bad bulk length in reply: {line}");
                    if (length < 0) return new Reply(false, "");
                    var body = await ReadExactAsync(length + 2, cancellation);
                    return new Reply(false, Encoding.UTF8.GetString(body, 0, length));
                default:
                    throw new InvalidDataException($"unexpected reply: {line}");
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellation)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var text = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                    _start = newline + 1;
                    return text;
                }
                await FillAsync(cancellation);
            }
        }

        private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellation)
        {
            var result = new byte[count];
            var copied = 0;
            while (copied < count)
            {
                if (_start == _end) await FillAsync(cancellation);
                var take = Math.Min(count - copied, _end - _start);
                Array.Copy(_buffer, _start, result, copied, take);
                _start += take;
                copied += take;
            }
            return result;
        }

        private async Task FillAsync(CancellationToken cancellation)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new InvalidDataException("reply line too long");
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellation);
            if (read == 0) throw new IOException("the server closed the connection");
            _end += read;
        }
    }
}
