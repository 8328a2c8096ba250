using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Shake.Resp.Protocol;

namespace Shake.Resp.Connections;

/// <summary>
/// One TCP (optionally TLS) connection to a Redis server, authenticated and negotiated, exposing the raw
/// <see cref="Input"/>/<see cref="Output"/> pipes for callers that speak the protocol themselves (replication, pipelining)
/// and <see cref="ExecuteAsync(string[])"/> for one-off request/reply exchanges. Not thread-safe: one user at a time.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private const int ReadBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private int _disposed;

    private RedisConnection(RedisConnectionOptions options, RedisEndpoint endpoint, Socket socket, Stream stream)
    {
        Options = options;
        Endpoint = endpoint;
        _socket = socket;
        _stream = stream;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: ReadBufferSize / 4, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: ReadBufferSize, leaveOpen: true));
    }

    /// <summary>The options the connection was made with.</summary>
    public RedisConnectionOptions Options { get; }

    /// <summary>The server address.</summary>
    public RedisEndpoint Endpoint { get; }

    /// <summary>Bytes from the server. After the handshake nothing has been left unread in it.</summary>
    public PipeReader Input { get; }

    /// <summary>Bytes to the server; data reaches the socket when flushed.</summary>
    public PipeWriter Output { get; }

    /// <summary>The protocol in effect: 3 after a successful <c>HELLO 3</c>, else 2.</summary>
    public int Protocol { get; private set; } = 2;

    /// <summary>The server's HELLO reply (a map of server, version, proto, id, mode, role, modules) when RESP3 was negotiated.</summary>
    public RespValue? HelloReply { get; private set; }

    /// <summary>True when the connection is encrypted.</summary>
    public bool IsTls => _stream is System.Net.Security.SslStream;

    /// <summary>Connects, sets up TLS when asked, authenticates, negotiates the protocol, selects the database.</summary>
    public static async Task<RedisConnection> ConnectAsync(RedisConnectionOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.Endpoint;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (options.ConnectTimeout != Timeout.InfiniteTimeSpan) deadline.CancelAfter(options.ConnectTimeout);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        RedisConnection? connection = null;
        try
        {
            ConfigureKeepAlive(socket, options.KeepAlive);
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Tls) stream = await TlsClientFactory.AuthenticateAsync(stream, options, endpoint, deadline.Token);
            connection = new RedisConnection(options, endpoint, socket, stream);
            await connection.HandshakeAsync(deadline.Token);
            return connection;
        }
        catch (Exception e)
        {
            if (connection is not null) await connection.DisposeAsync();
            else
            {
                if (stream is not null) await stream.DisposeAsync();
                socket.Dispose();
            }
            if (e is OperationCanceledException && !cancellation.IsCancellationRequested)
                throw new RedisConnectionException(endpoint.ToString(), $"connecting to {endpoint} timed out after {options.ConnectTimeout.TotalSeconds:0.###}s", e);
            if (e is SocketException or IOException and not RedisConnectionException or System.Security.Authentication.AuthenticationException)
                throw new RedisConnectionException(endpoint.ToString(), $"could not connect to {endpoint}: {e.Message}", e);
            throw;
        }
    }

    /// <summary>Sends one command and returns its reply (error replies are returned, not thrown). Out-of-band push messages are skipped.</summary>
    public Task<RespValue> ExecuteAsync(params string[] arguments) => ExecuteAsync(arguments, CancellationToken.None);

    /// <summary>Sends one command and returns its reply (error replies are returned, not thrown). Out-of-band push messages are skipped.</summary>
    public async Task<RespValue> ExecuteAsync(string[] arguments, CancellationToken cancellation)
    {
        if (arguments.Length == 0) throw new ArgumentException("a command needs at least its name", nameof(arguments));
        RespCommandWriter.WriteCommand(Output, arguments);
        return await FlushAndReadAsync(cancellation);
    }

    /// <summary>Sends one command given as raw byte arguments and returns its reply.</summary>
    public async Task<RespValue> ExecuteAsync(IReadOnlyList<ReadOnlyMemory<byte>> arguments, CancellationToken cancellation = default)
    {
        if (arguments.Count == 0) throw new ArgumentException("a command needs at least its name", nameof(arguments));
        RespCommandWriter.WriteArrayHeader(Output, arguments.Count);
        foreach (var argument in arguments) RespCommandWriter.WriteBulk(Output, argument.Span);
        return await FlushAndReadAsync(cancellation);
    }

    /// <summary>Reads the next reply from <see cref="Input"/> (skipping push messages), within the read timeout.</summary>
    public async Task<RespValue> ReadValueAsync(CancellationToken cancellation = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (Options.ReadTimeout != Timeout.InfiniteTimeSpan) deadline.CancelAfter(Options.ReadTimeout);
        try
        {
            while (true)
            {
                var result = await Input.ReadAsync(deadline.Token);
                if (TryTakeValue(result.Buffer, out var value, out var consumed))
                {
                    Input.AdvanceTo(consumed);
                    if (value.Kind == RespKind.Push) continue;
                    return value;
                }
                Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (result.IsCompleted) throw new RedisConnectionException(Endpoint.ToString(), $"connection to {Endpoint} was closed by the server while waiting for a reply");
            }
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new RedisConnectionException(Endpoint.ToString(), $"no reply from {Endpoint} within {Options.ReadTimeout.TotalSeconds:0.###}s", e);
        }
        catch (RespProtocolException e)
        {
            throw new RedisConnectionException(Endpoint.ToString(), $"{Endpoint} sent malformed RESP: {e.Message}", e);
        }
        catch (IOException e) when (e is not RedisConnectionException)
        {
            throw new RedisConnectionException(Endpoint.ToString(), $"connection to {Endpoint} failed: {e.Message}", e);
        }
    }

    private static bool TryTakeValue(ReadOnlySequence<byte> buffer, out RespValue value, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var ok = RespReader.TryReadValue(ref reader, out value);
        consumed = reader.Position;
        return ok;
    }

    private async Task<RespValue> FlushAndReadAsync(CancellationToken cancellation)
    {
        try
        {
            await Output.FlushAsync(cancellation);
        }
        catch (IOException e)
        {
            throw new RedisConnectionException(Endpoint.ToString(), $"sending to {Endpoint} failed: {e.Message}", e);
        }
        return await ReadValueAsync(cancellation);
    }

    private async Task HandshakeAsync(CancellationToken cancellation)
    {
        var user = string.IsNullOrEmpty(Options.Username) ? "default" : Options.Username;
        var hasPassword = !string.IsNullOrEmpty(Options.Password);
        if (Options.Protocol == 3)
        {
            List<string> hello = ["HELLO", "3"];
            if (hasPassword) hello.AddRange(["AUTH", user, Options.Password!]);
            if (Options.ClientName is not null) hello.AddRange(["SETNAME", Options.ClientName]);
            HelloReply = (await ExecuteAsync([.. hello], cancellation)).ThrowIfError(Endpoint.ToString(), "HELLO");
            Protocol = 3;
        }
        else
        {
            if (Options.Protocol != 2) throw new ArgumentException($"protocol {Options.Protocol} is not supported (use 2 or 3)");
            if (hasPassword)
            {
                string[] auth = string.IsNullOrEmpty(Options.Username) ? ["AUTH", Options.Password!] : ["AUTH", user, Options.Password!];
                (await ExecuteAsync(auth, cancellation)).ThrowIfError(Endpoint.ToString(), "AUTH");
            }
            if (Options.ClientName is not null)
                (await ExecuteAsync(["CLIENT", "SETNAME", Options.ClientName], cancellation)).ThrowIfError(Endpoint.ToString(), "CLIENT SETNAME");
        }
        if (Options.Database != 0)
            (await ExecuteAsync(["SELECT", Options.Database.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellation)).ThrowIfError(Endpoint.ToString(), "SELECT");
    }

    private static void ConfigureKeepAlive(Socket socket, TimeSpan? idle)
    {
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        if (idle is not { } time) return;
        var seconds = Math.Max(1, (int)time.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, seconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, seconds / 3));
    }

    /// <summary>Closes the pipes, the TLS stream and the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        await Input.CompleteAsync();
        try { await Output.CompleteAsync(); } catch (IOException) { } catch (ObjectDisposedException) { }
        try { await _stream.DisposeAsync(); } catch (IOException) { }
        _socket.Dispose();
    }
}
