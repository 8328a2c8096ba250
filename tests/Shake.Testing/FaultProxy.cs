using System.Net;
using System.Net.Sockets;

namespace Shake.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of one upstream on 127.0.0.1, for network faults a test sets off: a partition
/// (<see cref="Stall"/>: nothing moves in either direction, sockets are not read, new connections wait; the kernel
/// buffers fill as in a real partition; <see cref="Heal"/> lets everything through again, closes included) and a cut
/// (<see cref="Cut"/>: every open connection is reset on both sides).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Link> _links = [];
    private readonly Task _accepting;
    private TaskCompletionSource _open = Opened();
    private long _toClient;
    private long _toUpstream;
    private int _connections;

    private FaultProxy(TcpListener listener, int upstreamPort)
    {
        _listener = listener;
        _upstreamPort = upstreamPort;
        _accepting = AcceptAsync();
    }

    /// <summary>Starts a proxy on a free loopback port forwarding to <paramref name="upstream"/> (<c>127.0.0.1:port</c>).</summary>
    public static FaultProxy Start(string upstream)
    {
        var endpoint = IPEndPoint.Parse(upstream);
        if (!IPAddress.IsLoopback(endpoint.Address)) throw new ArgumentException($"the fault proxy forwards to loopback only, not {upstream}");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new FaultProxy(listener, endpoint.Port);
    }

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary><c>127.0.0.1:port</c> of the proxy.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Bytes forwarded from the upstream to clients.</summary>
    public long BytesToClient => Interlocked.Read(ref _toClient);

    /// <summary>Bytes forwarded from clients to the upstream.</summary>
    public long BytesToUpstream => Interlocked.Read(ref _toUpstream);

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>
    /// Most bytes per second forwarded in each direction of each connection (0: no limit), to stretch a phase (a full
    /// sync) long enough for a fault to hit it.
    /// </summary>
    public long BytesPerSecond { get; set; }

    /// <summary>True while stalled.</summary>
    public bool IsStalled
    {
        get
        {
            lock (_gate) return !_open.Task.IsCompleted;
        }
    }

    /// <summary>Stops moving bytes in both directions and holds new connections: a partition.</summary>
    public void Stall()
    {
        lock (_gate)
        {
            if (_open.Task.IsCompleted) _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Ends a <see cref="Stall"/>: what waited (data, closes, new connections) goes through.</summary>
    public void Heal()
    {
        lock (_gate) _open.TrySetResult();
    }

    /// <summary>Resets every open connection on both sides (RST); later connections work as before.</summary>
    public void Cut()
    {
        Link[] links;
        lock (_gate)
        {
            links = [.. _links];
            _links.Clear();
        }
        foreach (var link in links) link.Abort();
    }

    /// <summary>Partitions for <paramref name="duration"/>, then heals.</summary>
    public async Task PartitionAsync(TimeSpan duration, CancellationToken cancellation = default)
    {
        Stall();
        try
        {
            await Task.Delay(duration, cancellation);
        }
        finally
        {
            Heal();
        }
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private Task WhenOpen()
    {
        lock (_gate) return _open.Task;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        client.NoDelay = true;
        var link = new Link(client);
        lock (_gate) _links.Add(link);
        try
        {
            await WhenOpen().WaitAsync(_stop.Token);
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            link.Upstream = upstream;
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _upstreamPort), _stop.Token);
            await Task.WhenAll(PumpAsync(client, upstream, link, toClient: false), PumpAsync(upstream, client, link, toClient: true));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            link.Abort();
            lock (_gate) _links.Remove(link);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Link link, bool toClient)
    {
        var buffer = new byte[BytesPerSecond > 0 ? 16 * 1024 : BufferSize];
        try
        {
            while (true)
            {
                // Neither read nor write while stalled, so the sender's kernel buffers fill as in a real partition.
                await WhenOpen().WaitAsync(_stop.Token);
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                await WhenOpen().WaitAsync(_stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                Interlocked.Add(ref toClient ? ref _toClient : ref _toUpstream, read);
                if (BytesPerSecond > 0) await Task.Delay(TimeSpan.FromSeconds((double)read / BytesPerSecond), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side failed: the other must see it too, as it would through a router.
            link.Abort();
        }
    }

    /// <summary>Stops listening and resets every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Heal();
        Cut();
        try { await _accepting; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private sealed class Link(Socket client)
    {
        private int _aborted;

        public Socket? Upstream { get; set; }

        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
            Reset(client);
            if (Upstream is { } upstream) Reset(upstream);
        }

        private static void Reset(Socket socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
