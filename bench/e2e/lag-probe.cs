#:property PublishAot=false
// Load generator and replication-lag probe for bench/e2e/lag.sh (run with: dotnet run lag-probe.cs -- ...).
// Writes SETs to the source at a steady rate (paced every millisecond, pipelined) and, every probe interval, writes a
// sequence number to the source and times until each target's keyspace notification for it arrives. Loopback addresses only.
// Arguments: --source PORT --target NAME=PORT [--target NAME=PORT ...] [--rate 50000] [--seconds 30] [--probe-ms 50]
//   [--warmup 5]: seconds of load before probing starts (the load generator, the servers and the engine settle; the first
//   seconds of load otherwise hold the worst samples of every side and decide the p99 of a 30 s run).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

var options = ProbeOptions.Parse(args);
var loadSeconds = options.Warmup + options.Seconds;
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(loadSeconds));
var load = Task.Run(() => LoadGenerator.RunAsync(options.SourcePort, options.Rate, stop.Token));
await Task.Delay(TimeSpan.FromSeconds(options.Warmup));
var probes = await Prober.RunAsync(options, stop.Token);
var sent = await load;

Console.WriteLine($"writes sent: {sent} in {loadSeconds} s = {sent / loadSeconds:F0}/s (target rate {options.Rate}/s); probed for the last {options.Seconds} s after {options.Warmup} s of warm-up");
Console.WriteLine($"{"target",-24} {"samples",8} {"p50 (ms)",10} {"p99 (ms)",10} {"max (ms)",10} {"timeouts",9}");
foreach (var (name, lags, timeouts) in probes)
{
    lags.Sort();
    double P(double q) => lags.Count == 0 ? double.NaN : lags[Math.Min(lags.Count - 1, (int)Math.Ceiling(q * lags.Count) - 1)];
    Console.WriteLine($"{name,-24} {lags.Count,8} {P(0.50),10:F2} {P(0.99),10:F2} {(lags.Count == 0 ? double.NaN : lags[^1]),10:F2} {timeouts,9}");
}

sealed record ProbeOptions(int SourcePort, List<(string Name, int Port)> Targets, int Rate, int Seconds, int ProbeMs, int Warmup)
{
    public static ProbeOptions Parse(string[] args)
    {
        int source = 0, rate = 50000, seconds = 30, probeMs = 50, warmup = 5;
        var targets = new List<(string, int)>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--source": source = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--rate": rate = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--probe-ms": probeMs = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--target":
                    var eq = value.IndexOf('=');
                    targets.Add((value[..eq], int.Parse(value[(eq + 1)..], CultureInfo.InvariantCulture)));
                    break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (source == 0 || targets.Count == 0) throw new ArgumentException("usage: --source PORT --target NAME=PORT ... [--rate N] [--seconds N] [--probe-ms N] [--warmup N]");
        return new ProbeOptions(source, targets, rate, seconds, probeMs, warmup);
    }
}

/// <summary>A blocking RESP connection to a server on 127.0.0.1, enough for SET/GET.</summary>
sealed class Connection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _input;

    public Connection(int port)
    {
        _client = new TcpClient { NoDelay = true };
        _client.Connect(IPAddress.Loopback, port);
        _stream = _client.GetStream();
        _input = new BufferedStream(_stream, 1 << 16);
    }

    public NetworkStream Stream => _stream;

    public static byte[] Encode(params string[] parts)
    {
        var sb = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var p in parts) sb.Append('$').Append(Encoding.UTF8.GetByteCount(p)).Append("\r\n").Append(p).Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public void Send(byte[] command) => _stream.Write(command);

    /// <summary>Reads one reply: a simple string, an integer, or a bulk string (null for a null bulk). Errors throw.</summary>
    public string? Read()
    {
        var kind = _input.ReadByte();
        var line = ReadLine();
        switch (kind)
        {
            case '+': case ':': return line;
            case '-': throw new InvalidOperationException("server error: " + line);
            case '*':
                var count = int.Parse(line, CultureInfo.InvariantCulture);
                string? last = null;
                for (var i = 0; i < count; i++) last = Read();
                return last;
            case '$':
                var length = int.Parse(line, CultureInfo.InvariantCulture);
                if (length < 0) return null;
                var data = new byte[length + 2];
                _input.ReadExactly(data);
                return Encoding.UTF8.GetString(data, 0, length);
            default: throw new InvalidOperationException($"unexpected reply type {kind}");
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        int b;
        while ((b = _input.ReadByte()) != '\r')
        {
            if (b < 0) throw new EndOfStreamException();
            sb.Append((char)b);
        }
        _input.ReadByte();
        return sb.ToString();
    }

    public void Dispose() => _client.Dispose();
}

static class LoadGenerator
{
    private static (byte[] Commands, int[] Offsets) EncodeCommands(int count)
    {
        var random = new Random(1);
        var buffer = new MemoryStream();
        var offsets = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            offsets[i] = (int)buffer.Position;
            buffer.Write(Connection.Encode("SET", "load:" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture), "v" + i.ToString("D15", CultureInfo.InvariantCulture)));
        }
        offsets[count] = (int)buffer.Position;
        return (buffer.ToArray(), offsets);
    }

    /// <summary>Sends SETs at <paramref name="rate"/> per second until cancelled; returns how many were sent (and answered).</summary>
    public static async Task<long> RunAsync(int port, int rate, CancellationToken stop)
    {
        using var connection = new Connection(port);
        long sent = 0, answered = 0;
        // Replies are "+OK\r\n" (5 bytes each): a reader drains them so the socket never blocks the source.
        var reader = Task.Run(() =>
        {
            var buffer = new byte[1 << 16];
            long bytes = 0;
            while (true)
            {
                int n;
                try { n = connection.Stream.Read(buffer); } catch (IOException) { break; } catch (ObjectDisposedException) { break; }
                if (n == 0) break;
                bytes += n;
                Interlocked.Exchange(ref answered, bytes / 5);
            }
        });
        // Commands are encoded before the clock starts, so the generator spends its time sending, not formatting, and
        // takes as little CPU as possible from the servers and the engine being measured.
        var (commands, offsets) = EncodeCommands(Math.Max(rate, 1) * 2);
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate) - sent;
            // Bounded in flight: when the source falls behind, the generator waits instead of queueing without end.
            if (sent - Interlocked.Read(ref answered) > rate) due = 0;
            while (due > 0)
            {
                var first = (int)(sent % (offsets.Length - 1));
                var count = (int)Math.Min(due, offsets.Length - 1 - first);
                connection.Stream.Write(commands, offsets[first], offsets[first + count] - offsets[first]);
                sent += count;
                due -= count;
            }
            try { await Task.Delay(1, stop); } catch (OperationCanceledException) { break; }
        }
        var drainUntil = Stopwatch.StartNew();
        while (Interlocked.Read(ref answered) < sent && drainUntil.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(10);
        connection.Dispose();
        await reader;
        return sent;
    }
}

static class Prober
{
    /// <summary>
    /// Every probe interval: SET lag:probe SEQ on the source and time until each target has applied it. Each target is
    /// watched through a keyspace notification (SUBSCRIBE, no polling), so the probe itself takes no CPU from the
    /// servers and the engine being measured; the notification is sent by the target as it applies the SET.
    /// </summary>
    public static async Task<List<(string Name, List<double> Lags, int Timeouts)>> RunAsync(ProbeOptions options, CancellationToken stop)
    {
        using var source = new Connection(options.SourcePort);
        var clock = Stopwatch.StartNew();
        var watchers = options.Targets.Select(t => new SetWatcher(t.Name, t.Port, clock)).ToList();
        var seq = 0L;
        while (!stop.IsCancellationRequested)
        {
            seq++;
            var started = clock.Elapsed;
            foreach (var w in watchers) w.Expect(seq, started);
            source.Send(Connection.Encode("SET", "lag:probe", seq.ToString(CultureInfo.InvariantCulture)));
            source.Read();
            var next = started + TimeSpan.FromMilliseconds(options.ProbeMs);
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, stop); } catch (OperationCanceledException) { break; }
            }
        }
        // Let the last probes arrive.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var results = watchers.Select(w => w.Finish()).ToList();
        return results;
    }
}

/// <summary>Counts "set" notifications of lag:probe on one target and turns each into a lag sample.</summary>
sealed class SetWatcher
{
    private readonly string _name;
    private readonly Connection _connection;
    private readonly Stopwatch _clock;
    private readonly Dictionary<long, TimeSpan> _sent = new();
    private readonly List<double> _lags = new();
    private readonly List<double> _at = new();
    private readonly Thread _thread;
    private long _seen;

    public SetWatcher(string name, int port, Stopwatch clock)
    {
        _name = name;
        _clock = clock;
        using (var admin = new Connection(port))
        {
            admin.Send(Connection.Encode("CONFIG", "SET", "notify-keyspace-events", "K$"));
            admin.Read();
        }
        _connection = new Connection(port);
        _connection.Send(Connection.Encode("SUBSCRIBE", "__keyspace@0__:lag:probe"));
        _connection.Read();
        _thread = new Thread(Listen) { IsBackground = true, Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    public void Expect(long seq, TimeSpan started)
    {
        lock (_sent) _sent[seq] = started;
    }

    private void Listen()
    {
        try
        {
            while (true)
            {
                _connection.Read();
                var arrived = _clock.Elapsed;
                var seq = ++_seen;
                lock (_sent)
                {
                    if (_sent.Remove(seq, out var started)) { _lags.Add((arrived - started).TotalMilliseconds); _at.Add(started.TotalSeconds); }
                }
            }
        }
        catch (Exception)
        {
            // Finish closed the connection under the read.
        }
    }

    public (string Name, List<double> Lags, int Timeouts) Finish()
    {
        _connection.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
        lock (_sent)
        {
            // The worst samples with when they were sent: a stall shows up as several consecutive ones.
            var worst = _lags.Select((lag, i) => (lag, at: _at[i])).OrderByDescending(x => x.lag).Take(3);
            Console.Error.WriteLine($"{_name}: worst " + string.Join(", ", worst.Select(x => $"{x.lag:F1} ms at {x.at:F2} s")));
            return (_name, new List<double>(_lags), _sent.Count);
        }
    }
}
