#:property PublishAot=false
// Writer and checker for bench/e2e/failover.sh and scripts/demo.sh (build with: dotnet build failover-writer.cs).
//   write --seed PORT --acked FILE --stop-file FILE [--pause-file FILE] [--workers 4] [--rate 400] [--prefix fw]
//     SETs <prefix>:<n> = <n> into a cluster (127.0.0.1 only) until the stop file exists (and sends nothing while the
//     pause file exists: the writes in flight finish, the next ones wait), following MOVED/ASK itself
//     and retrying on TRYAGAIN/CLUSTERDOWN or a lost connection; every key whose SET was answered +OK goes into the
//     acked file, one per line. A write is never counted unless its OK arrived.
//   check --a PORT --b PORT --acked FILE [--wait 30]
//     For every acked key reads it from cluster A and cluster B (each routed to its slot's master): the writes A lost
//     (its own failover can drop a write it confirmed) and the writes A holds that B lacks or holds differently.
//     Re-checks once a second until B holds all of them or --wait seconds passed. Prints one line of counts.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

var options = Arguments.Parse(args);
return options.Mode switch
{
    "write" => await WriteMode.RunAsync(options),
    "check" => await CheckMode.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: write --seed PORT --acked FILE --stop-file FILE [--workers N] [--rate N] [--prefix P] | check --a PORT --b PORT --acked FILE [--wait S]");
    return 2;
}

sealed record Arguments(string Mode, Dictionary<string, string> Values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 1; i + 1 < args.Length; i += 2) values[args[i].TrimStart('-')] = args[i + 1];
        return new Arguments(args.Length > 0 ? args[0] : "", values);
    }

    public string Text(string name, string? fallback = null) =>
        Values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");

    public int Number(string name, int? fallback = null) =>
        Values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback ?? throw new ArgumentException($"--{name} is required");
}

static class WriteMode
{
    public static async Task<int> RunAsync(Arguments options)
    {
        var seed = options.Number("seed");
        var stopFile = options.Text("stop-file");
        var workers = options.Number("workers", 4);
        var rate = options.Number("rate", 400);
        var prefix = options.Text("prefix", "fw");
        var pauseFile = options.Text("pause-file", "");
        var acked = new ConcurrentQueue<string>();
        long next = 0, redirects = 0, retries = 0;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!File.Exists(stopFile)) await Task.Delay(50);
            stop.Cancel();
        });
        // Each worker writes every workers/rate seconds; after a pause or a stall it goes on at that pace without
        // making up for the writes it missed.
        var interval = TimeSpan.FromSeconds((double)workers / rate);
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            using var client = new ClusterClient(seed);
            var due = clock.Elapsed;
            while (!stop.IsCancellationRequested)
            {
                while (pauseFile.Length > 0 && File.Exists(pauseFile) && !stop.IsCancellationRequested) await Task.Delay(5);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try { await Task.Delay(wait, stop.Token); } catch (OperationCanceledException) { break; }
                }
                due = (due > clock.Elapsed ? due : clock.Elapsed) + interval;
                var n = Interlocked.Increment(ref next) - 1;
                var key = $"{prefix}:{n}";
                var outcome = await client.SetAsync(key, n.ToString(CultureInfo.InvariantCulture));
                Interlocked.Add(ref redirects, outcome.Redirects);
                Interlocked.Add(ref retries, outcome.Retries);
                if (outcome.Ok) acked.Enqueue(key);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        await File.WriteAllLinesAsync(options.Text("acked"), acked);
        Console.WriteLine($"writer: {acked.Count} writes acknowledged in {clock.Elapsed.TotalSeconds:F1} s ({redirects} redirects followed, {retries} retries)");
        return 0;
    }
}

static class CheckMode
{
    public static async Task<int> RunAsync(Arguments options)
    {
        var keys = await File.ReadAllLinesAsync(options.Text("acked"));
        using var a = new ClusterClient(options.Number("a"));
        using var b = new ClusterClient(options.Number("b"));
        var deadline = Stopwatch.StartNew();
        var wait = TimeSpan.FromSeconds(options.Number("wait", 30));
        while (true)
        {
            int aLost = 0, bDiffers = 0;
            string? example = null;
            foreach (var key in keys)
            {
                var expected = key[(key.IndexOf(':') + 1)..];
                var onA = await a.GetAsync(key);
                if (onA != expected) { aLost++; continue; }
                var onB = await b.GetAsync(key);
                if (onB != onA) { bDiffers++; example ??= $"{key}: A {onA}, B {onB ?? "(missing)"}"; }
            }
            if (bDiffers == 0 || deadline.Elapsed > wait)
            {
                Console.WriteLine($"acked={keys.Length} a_lost={aLost} a_holds={keys.Length - aLost} b_lacks_or_differs={bDiffers}{(example is null ? "" : " e.g. " + example)}");
                return bDiffers == 0 ? 0 : 1;
            }
            await Task.Delay(1000);
        }
    }
}

/// <summary>One command at a time to a cluster on 127.0.0.1: routes by slot, follows MOVED and ASK, retries transient failures.</summary>
sealed class ClusterClient(int seed) : IDisposable
{
    private readonly Dictionary<int, Connection> _connections = [];
    private int[] _owners = [];
    private readonly HashSet<int> _known = [seed];

    public readonly record struct Outcome(bool Ok, int Redirects, int Retries);

    public async Task<Outcome> SetAsync(string key, string value)
    {
        var (reply, redirects, retries) = await RouteAsync(key, ["SET", key, value]);
        return new Outcome(reply is "OK", redirects, retries);
    }

    public async Task<string?> GetAsync(string key) => (await RouteAsync(key, ["GET", key])).Reply as string;

    private async Task<(object? Reply, int Redirects, int Retries)> RouteAsync(string key, string[] command)
    {
        if (_owners.Length == 0) await RefreshAsync();
        var slot = Crc16.Slot(key);
        var port = _owners[slot];
        var asking = false;
        int redirects = 0, retries = 0;
        for (var attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                if (port == 0) throw new IOException("slot without owner");
                var connection = ConnectionTo(port);
                if (asking) connection.Execute(["ASKING"]);
                asking = false;
                var reply = connection.Execute(command);
                if (reply is not ServerError error) return (reply, redirects, retries);
                var parts = error.Message.Split(' ');
                switch (parts[0])
                {
                    case "MOVED":
                        redirects++;
                        port = PortOf(parts[2]);
                        _known.Add(port);
                        await RefreshAsync();
                        continue;
                    case "ASK":
                        redirects++;
                        port = PortOf(parts[2]);
                        asking = true;
                        continue;
                    case "TRYAGAIN" or "CLUSTERDOWN" or "LOADING" or "MASTERDOWN" or "READONLY":
                        retries++;
                        await Task.Delay(100);
                        await RefreshAsync();
                        port = _owners[slot];
                        continue;
                    default:
                        return (error, redirects, retries);
                }
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // The node died or dropped us in a failover: the write may or may not have happened; send it again.
                retries++;
                Forget(port);
                await Task.Delay(100);
                await RefreshAsync();
                port = _owners[slot];
            }
        }
        return (null, redirects, retries);
    }

    private static int PortOf(string endpoint) => int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    private Connection ConnectionTo(int port)
    {
        if (!_connections.TryGetValue(port, out var connection)) _connections[port] = connection = new Connection(port);
        return connection;
    }

    private void Forget(int port)
    {
        if (_connections.Remove(port, out var connection)) connection.Dispose();
    }

    /// <summary>Reads CLUSTER SLOTS from the first known node that answers.</summary>
    private async Task RefreshAsync()
    {
        for (var round = 0; round < 100; round++)
        {
            foreach (var port in _known.ToArray())
            {
                try
                {
                    if (ConnectionTo(port).Execute(["CLUSTER", "SLOTS"]) is not List<object?> ranges) continue;
                    var owners = new int[16384];
                    foreach (var range in ranges.Cast<List<object?>>())
                    {
                        var master = (List<object?>)range[2]!;
                        var owner = (int)(long)master[1]!;
                        for (var s = (int)(long)range[0]!; s <= (long)range[1]!; s++) owners[s] = owner;
                        foreach (var node in range.Skip(2).Cast<List<object?>>()) _known.Add((int)(long)node[1]!);
                    }
                    _owners = owners;
                    return;
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    Forget(port);
                }
            }
            await Task.Delay(100);
        }
        throw new IOException("no node of the cluster answers CLUSTER SLOTS");
    }

    public void Dispose()
    {
        foreach (var connection in _connections.Values) connection.Dispose();
    }
}

sealed record ServerError(string Message);

/// <summary>A blocking RESP connection to 127.0.0.1 with a read timeout (a node that stops answering counts as lost).</summary>
sealed class Connection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _input;

    public Connection(int port)
    {
        _client = new TcpClient { NoDelay = true, ReceiveTimeout = 5000, SendTimeout = 5000 };
        _client.Connect(IPAddress.Loopback, port);
        _stream = _client.GetStream();
        _input = new BufferedStream(_stream, 1 << 16);
    }

    public object? Execute(string[] parts)
    {
        var sb = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var p in parts) sb.Append('$').Append(Encoding.UTF8.GetByteCount(p)).Append("\r\n").Append(p).Append("\r\n");
        _stream.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        return Read();
    }

    private object? Read()
    {
        var kind = _input.ReadByte();
        if (kind < 0) throw new IOException("connection closed");
        var line = ReadLine();
        switch (kind)
        {
            case '+': return line;
            case ':': return long.Parse(line, CultureInfo.InvariantCulture);
            case '-': return new ServerError(line);
            case '*':
                var count = int.Parse(line, CultureInfo.InvariantCulture);
                if (count < 0) return null;
                var items = new List<object?>(count);
                for (var i = 0; i < count; i++) items.Add(Read());
                return items;
            case '$':
                var length = int.Parse(line, CultureInfo.InvariantCulture);
                if (length < 0) return null;
                var data = new byte[length + 2];
                _input.ReadExactly(data);
                return Encoding.UTF8.GetString(data, 0, length);
            default: throw new IOException($"unexpected reply type {kind}");
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        int b;
        while ((b = _input.ReadByte()) != '\r')
        {
            if (b < 0) throw new IOException("connection closed");
            sb.Append((char)b);
        }
        _input.ReadByte();
        return sb.ToString();
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>The cluster's key slot: CRC16 (XMODEM) of the key, or of its {hash tag}, modulo 16384.</summary>
static class Crc16
{
    public static int Slot(string key)
    {
        var open = key.IndexOf('{');
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1) key = key[(open + 1)..close];
        }
        ushort crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++) crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
        }
        return crc % 16384;
    }
}
