#:property PublishAot=false
// The straightforward way to compare two Redis servers, for bench/e2e/verify.sh to time shake verify against:
// SCAN the source, then per key TYPE and PTTL on both sides and the whole value by type (GET, HGETALL, LRANGE,
// SMEMBERS, ZRANGE WITHSCORES), one request and one reply at a time per connection; --workers pairs of connections
// share the scanned keys. Extra keys on the target are not looked for. Loopback addresses only.
// Arguments: --source PORT --target PORT [--workers 8] [--limit N]: stop after N keys (0: all), for a rate without waiting for all.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

int source = 0, target = 0, workers = 8, limit = 0;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = int.Parse(args[i + 1]);
    switch (args[i])
    {
        case "--source": source = value; break;
        case "--target": target = value; break;
        case "--workers": workers = value; break;
        case "--limit": limit = value; break;
        default: throw new ArgumentException($"unknown argument {args[i]}");
    }
}

var clock = Stopwatch.StartNew();
var keys = Channel.CreateBounded<byte[]>(10_000);
long compared = 0, different = 0;
var scanner = Task.Run(async () =>
{
    using var scan = new Resp(source);
    var cursor = "0";
    var scanned = 0L;
    do
    {
        var reply = (object[])scan.Call("SCAN", cursor, "COUNT", "1000")!;
        cursor = Encoding.ASCII.GetString((byte[])reply[0]);
        foreach (var key in (object[])reply[1])
        {
            if (limit > 0 && scanned++ >= limit) break;
            await keys.Writer.WriteAsync((byte[])key);
        }
    } while (cursor != "0" && (limit == 0 || scanned < limit));
    keys.Writer.Complete();
});
var comparers = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
{
    using var s = new Resp(source);
    using var t = new Resp(target);
    await foreach (var key in keys.Reader.ReadAllAsync())
    {
        Interlocked.Increment(ref compared);
        if (!Same(s, t, key)) Interlocked.Increment(ref different);
    }
})).ToList();
await Task.WhenAll([scanner, .. comparers]);
var seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"baseline: {compared} keys compared, {different} different, {seconds:F2} s, {compared / seconds:F0} keys/s ({workers} workers)");

static bool Same(Resp s, Resp t, byte[] key)
{
    var type = Text(s.Call("TYPE", key)) ?? "none";
    if (type != Text(t.Call("TYPE", key))) return false;
    var sourceTtl = (long)s.Call("PTTL", key)!;
    var targetTtl = (long)t.Call("PTTL", key)!;
    if ((sourceTtl < 0 || targetTtl < 0) ? sourceTtl != targetTtl : Math.Abs(sourceTtl - targetTtl) > 1000) return false;
    string[] read = type switch
    {
        "string" => ["GET"],
        "hash" => ["HGETALL"],
        "list" => ["LRANGE", "0", "-1"],
        "set" => ["SMEMBERS"],
        "zset" => ["ZRANGE", "0", "-1", "WITHSCORES"],
        _ => [],
    };
    if (read.Length == 0) return true;
    var sourceValue = Flatten(s.Call([read[0], key, .. read[1..]]), type);
    var targetValue = Flatten(t.Call([read[0], key, .. read[1..]]), type);
    return sourceValue == targetValue;
}

static string? Text(object? value) => value is byte[] bytes ? Encoding.Latin1.GetString(bytes) : value as string;

// Sets and hashes come in server order: sort them so equal values compare equal.
static string Flatten(object? value, string type)
{
    if (value is not object[] items) return Text(value) ?? "";
    var parts = items.Select(i => Text(i) ?? "").ToList();
    if (type == "set") parts.Sort(StringComparer.Ordinal);
    if (type == "hash")
        parts = parts.Chunk(2).Select(p => p[0] + "\0" + p[1]).Order(StringComparer.Ordinal).ToList();
    return string.Join("\u0001", parts);
}

/// <summary>A blocking RESP2 client: one command, then its reply.</summary>
sealed class Resp : IDisposable
{
    private readonly TcpClient _client;
    private readonly BufferedStream _stream;

    public Resp(int port)
    {
        _client = new TcpClient("127.0.0.1", port) { NoDelay = true };
        _stream = new BufferedStream(_client.GetStream(), 1 << 16);
    }

    public object? Call(params object[] arguments)
    {
        var header = Encoding.ASCII.GetBytes($"*{arguments.Length}\r\n");
        _stream.Write(header);
        foreach (var argument in arguments)
        {
            var bytes = argument as byte[] ?? Encoding.UTF8.GetBytes((string)argument);
            _stream.Write(Encoding.ASCII.GetBytes($"${bytes.Length}\r\n"));
            _stream.Write(bytes);
            _stream.Write("\r\n"u8);
        }
        _stream.Flush();
        return Read();
    }

    private object? Read()
    {
        var kind = _stream.ReadByte();
        var line = ReadLine();
        switch (kind)
        {
            case '+': return line;
            case '-': throw new InvalidOperationException(line);
            case ':': return long.Parse(line);
            case '$':
                var length = int.Parse(line);
                if (length < 0) return null;
                var bytes = new byte[length];
                _stream.ReadExactly(bytes);
                _stream.ReadExactly(new byte[2]);
                return bytes;
            case '*':
                var count = int.Parse(line);
                if (count < 0) return null;
                var items = new object[count];
                for (var i = 0; i < count; i++) items[i] = Read()!;
                return items;
            default: throw new InvalidOperationException($"unexpected reply type {(char)kind}");
        }
    }

    private string ReadLine()
    {
        var text = new StringBuilder();
        int b;
        while ((b = _stream.ReadByte()) != '\r') text.Append((char)b);
        _stream.ReadByte();
        return text.ToString();
    }

    public void Dispose() => _client.Dispose();
}
