using System.Net.Sockets;
using System.Text;

namespace Shake.TestSupport;

/// <summary>
/// A deliberately tiny RESP2 client for tests that need binary-safe replies (DUMP, CLUSTER KEYSLOT of binary keys)
/// while the real client library is being written. Loopback only.
/// </summary>
public sealed class RawRespClient : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly BufferedStream _stream;

    private RawRespClient(TcpClient client)
    {
        _client = client;
        _stream = new BufferedStream(client.GetStream(), 65536);
    }

    public static async Task<RawRespClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return new RawRespClient(client);
    }

    public Task<object?> ExecuteAsync(params string[] args) => ExecuteAsync(args.Select(a => Encoding.UTF8.GetBytes(a)).ToArray());

    /// <summary>Sends one command; replies are byte[] (simple/bulk strings), long, object?[] or null. Errors throw.</summary>
    public async Task<object?> ExecuteAsync(params byte[][] args)
    {
        var header = new MemoryStream();
        header.Write(Encoding.ASCII.GetBytes($"*{args.Length}\r\n"));
        foreach (var a in args)
        {
            header.Write(Encoding.ASCII.GetBytes($"${a.Length}\r\n"));
            header.Write(a);
            header.Write("\r\n"u8);
        }
        await _stream.WriteAsync(header.ToArray());
        await _stream.FlushAsync();
        return ReadReply();
    }

    public async Task<byte[]> BytesAsync(params string[] args) => (byte[])(await ExecuteAsync(args))!;

    public async Task<List<byte[]>> ListAsync(params string[] args) => ((object?[])(await ExecuteAsync(args))!).Select(x => (byte[])x!).ToList();

    private object? ReadReply()
    {
        var type = _stream.ReadByte();
        var line = ReadLine();
        switch (type)
        {
            case '+': return Encoding.UTF8.GetBytes(line);
            case '-': throw new InvalidOperationException("server error: " + line);
            case ':': return long.Parse(line);
            case '$':
            {
                var length = int.Parse(line);
                if (length < 0) return null;
                var data = new byte[length];
                _stream.ReadExactly(data);
                ReadLine();
                return data;
            }
            case '*':
            {
                var count = int.Parse(line);
                if (count < 0) return null;
                var items = new object?[count];
                for (var i = 0; i < count; i++) items[i] = ReadReply();
                return items;
            }
            default: throw new InvalidOperationException($"unexpected RESP type byte {type}");
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var b = _stream.ReadByte();
            if (b < 0) throw new EndOfStreamException();
            if (b == '\r') { _stream.ReadByte(); return sb.ToString(); }
            sb.Append((char)b);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
