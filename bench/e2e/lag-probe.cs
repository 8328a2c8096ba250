#:property PublishAot=false
// Load generator and replication-lag probe for bench/e2e/lag.sh (run with: dotnet run lag-probe.cs -- ...).
// Writes SETs to the source at a steady rate (paced every 10 ms, pipelined) and, every probe interval, writes a
// sequence number to the source and times how long each target takes to show it. Loopback addresses only.
// Arguments: --source PORT --target NAME=PORT [--target NAME=PORT ...] [--rate 50000] [--seconds 30] [--probe-ms 50]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

var options = ProbeOptions.Parse(args);
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
var load = Task.Run(() => LoadGenerator.RunAsync(options.SourcePort, options.Rate, stop.Token));
var probes = await Prober.RunAsync(options, stop.Token);
var sent = await load;

Console.WriteLine($"writes sent: {sent} in {options.Seconds} s = {sent / options.Seconds:F0}/s (target rate {options.Rate}/s)");
Console.WriteLine($"{"target",-24} {"samples",8} {"p50 (ms)",10} {"p99 (ms)",10} {"max (ms)",10} {"timeouts",9}");
foreach (var (name, lags, timeouts) in probes)
{
    lags.Sort();
    double P(double q) => lags.Count == 0 ? double.NaN : lags[Math.Min(lags.Count - 1, (int)Math.Ceiling(q * lags.Count) - 1)];
    Console.WriteLine($"{name,-24} {lags.Count,8} {P(0.50),10:F2} {P(0.99),10:F2} {(lags.Count == 0 ? double.NaN : lags[^1]),10:F2} {timeouts,9}");
}

sealed record ProbeOptions(int SourcePort, List<(string Name, int Port)> Targets, int Rate, int Seconds, int ProbeMs)
{
    public static ProbeOptions Parse(string[] args)
    {
        int source = 0, rate = 50000, seconds = 30, probeMs = 50;
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
                case "--target":
                    var eq = value.IndexOf('=');
                    targets.Add((value[..eq], int.Parse(value[(eq + 1)..], CultureInfo.InvariantCulture)));
                    break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (source == 0 || targets.Count == 0) throw new ArgumentException("usage: --source PORT --target NAME=PORT ... [--rate N] [--seconds N] [--probe-ms N]");
        return new ProbeOptions(source, targets, rate, seconds, probeMs);
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
        var random = new Random(1);
        var clock = Stopwatch.StartNew();
        var batch = new MemoryStream();
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate) - sent;
            // Bounded in flight: when the source falls behind, the generator waits instead of queueing without end.
            if (sent - Interlocked.Read(ref answered) > rate) due = 0;
            if (due > 0)
            {
                batch.SetLength(0);
                for (var i = 0; i < due; i++)
                {
                    var command = Connection.Encode("SET", "load:" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture), "v" + (sent + i).ToString("D15", CultureInfo.InvariantCulture));
                    batch.Write(command);
                }
                connection.Send(batch.ToArray());
                sent += due;
            }
            try { await Task.Delay(10, stop); } catch (OperationCanceledException) { break; }
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
    /// <summary>Every probe interval: SET lag:probe SEQ on the source, then time until each target returns SEQ.</summary>
    public static async Task<List<(string Name, List<double> Lags, int Timeouts)>> RunAsync(ProbeOptions options, CancellationToken stop)
    {
        using var source = new Connection(options.SourcePort);
        var targets = options.Targets.Select(t => (t.Name, Connection: new Connection(t.Port), Lags: new List<double>(), Timeouts: new int[1])).ToList();
        var seq = 0L;
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            seq++;
            var expected = seq.ToString(CultureInfo.InvariantCulture);
            var started = clock.Elapsed;
            source.Send(Connection.Encode("SET", "lag:probe", expected));
            source.Read();
            await Task.WhenAll(targets.Select(t => Task.Run(() =>
            {
                var get = Connection.Encode("GET", "lag:probe");
                while (true)
                {
                    t.Connection.Send(get);
                    var value = t.Connection.Read();
                    if (value is not null && long.TryParse(value, CultureInfo.InvariantCulture, out var seen) && seen >= seq)
                    {
                        lock (t.Lags) t.Lags.Add((clock.Elapsed - started).TotalMilliseconds);
                        return;
                    }
                    if (clock.Elapsed - started > TimeSpan.FromSeconds(10))
                    {
                        t.Timeouts[0]++;
                        return;
                    }
                }
            })));
            var next = started + TimeSpan.FromMilliseconds(options.ProbeMs);
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, stop); } catch (OperationCanceledException) { break; }
            }
        }
        foreach (var t in targets) t.Connection.Dispose();
        return targets.Select(t => (t.Name, t.Lags, t.Timeouts[0])).ToList();
    }
}
