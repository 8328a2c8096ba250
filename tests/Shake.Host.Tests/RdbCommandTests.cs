using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Shake.Host.Commands.Rdb;
using Shake.Testing;

namespace Shake.Host.Tests;

public class RdbCommandTests
{
    private static string ShakeDll => Path.Combine(AppContext.BaseDirectory, "shake.dll");

    private sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string Text => Encoding.UTF8.GetString(Stdout);
    }

    private static async Task<Result> RunAsync(byte[]? stdin, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(ShakeDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) await p.StandardInput.BaseStream.WriteAsync(stdin);
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        await copy;
        return new Result(p.ExitCode, stdout.ToArray(), await stderr);
    }

    private static async Task<string> SavedFileAsync(RedisServer server)
    {
        foreach (var cmd in new[]
        {
            new[] { "SET", "s", "hello" }, ["SET", "n", "12345"], ["RPUSH", "l", "a", "b", "c"], ["SADD", "set", "x", "y"],
            ["ZADD", "z", "1.5", "m", "-2", "k"], ["HSET", "h", "f", "v", "g", "w"], ["XADD", "st", "1-1", "a", "b"],
            ["SET", "e", "later", "PXAT", "4102444800000"], ["SELECT", "2"],
        })
            await server.CliAsync(cmd);
        await server.CliAsync("-n", "2", "SET", "db2key", "v");
        await server.CliAsync("SAVE");
        return Path.Combine(server.Directory, "dump.rdb");
    }

    /// <summary>Sends RESP commands to a server, then a PING; returns every reply up to its PONG as text.</summary>
    private static async Task<string> SendAsync(RedisServer server, byte[] commands)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(commands);
        await stream.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray());
        var replies = new StringBuilder();
        var buffer = new byte[4096];
        while (!replies.ToString().Contains("+PONG"))
        {
            int n = await stream.ReadAsync(buffer);
            if (n == 0) break;
            replies.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return replies.ToString();
    }

    [Fact]
    public async Task JsonPrintsOneObjectPerKey()
    {
        await using var server = await RedisServer.StartAsync();
        var file = await SavedFileAsync(server);
        var result = await RunAsync(null, "rdb", "json", file);
        Assert.Equal(0, result.ExitCode);
        var lines = result.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(9, lines.Length);
        var byKey = lines.Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("key").GetString()!);
        Assert.Equal("hello", byKey["s"].GetProperty("value").GetString());
        Assert.Equal("12345", byKey["n"].GetProperty("value").GetString());
        Assert.Equal(["a", "b", "c"], byKey["l"].GetProperty("value").EnumerateArray().Select(x => x.GetString()!));
        Assert.Equal("zset", byKey["z"].GetProperty("type").GetString());
        Assert.Equal(-2, byKey["z"].GetProperty("value")[0][1].GetDouble());
        Assert.Equal(4102444800000, byKey["e"].GetProperty("expire_at_ms").GetInt64());
        Assert.Equal(JsonValueKind.Null, byKey["s"].GetProperty("expire_at_ms").ValueKind);
        Assert.Equal(2, byKey["db2key"].GetProperty("db").GetInt32());
        Assert.Equal("1-1", byKey["st"].GetProperty("value").GetProperty("entries")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task StatsJsonCountsKeysAndReadsStdin()
    {
        await using var server = await RedisServer.StartAsync();
        var file = await SavedFileAsync(server);
        var result = await RunAsync(await File.ReadAllBytesAsync(file), "rdb", "stats", "--json", "-");
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(9, root.GetProperty("keys").GetInt64());
        Assert.Equal(8, root.GetProperty("dbs")[0].GetProperty("keys").GetInt64());
        Assert.Equal(1, root.GetProperty("expiry").GetProperty("1y_or_more").GetInt64());
        Assert.Equal(9, root.GetProperty("biggest").GetArrayLength());

        var text = await RunAsync(null, "rdb", "stats", file);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("keys: 9", text.Text);
    }

    [Fact]
    public async Task RespOutputLoadsIntoAnotherServer()
    {
        await using var source = await RedisServer.StartAsync();
        await using var target = await RedisServer.StartAsync();
        var file = await SavedFileAsync(source);
        var result = await RunAsync(null, "rdb", "resp", file);
        Assert.Equal(0, result.ExitCode);

        var replies = await SendAsync(target, result.Stdout);
        Assert.DoesNotContain("-ERR", replies);
        Assert.Equal("8", (await target.CliAsync("DBSIZE")).Trim());
        Assert.Equal("1", (await target.CliAsync("-n", "2", "DBSIZE")).Trim());
        Assert.Equal("hello", (await target.CliAsync("GET", "s")).Trim());
        Assert.Equal("4102444800000", (await target.CliAsync("PEXPIRETIME", "e")).Trim());
        Assert.Equal("m", (await target.CliAsync("ZRANGE", "z", "1", "1")).Trim());
    }

    [Theory]
    [InlineData("allkeys-lfu", "FREQ")]
    [InlineData("allkeys-lru", "IDLETIME")]
    public async Task RespOutputCarriesEvictionHintsAndLargeKeysAndValues(string policy, string hint)
    {
        string[] args = ["--maxmemory-policy", policy];
        await using var source = await RedisServer.StartAsync(args);
        await using var target = await RedisServer.StartAsync(args);
        // Values and keys beyond the size formatted in one piece take the streamed path.
        var bigValue = new string('v', 20_000);
        var bigKey = new string('k', 5_000);
        await source.CliAsync("SET", "big", bigValue);
        await source.CliAsync("SET", bigKey, "x", "PXAT", "4102444800000");
        await source.CliAsync("SET", "hot", "1");
        for (var i = 0; i < 20; i++) await source.CliAsync("GET", "hot");
        await source.CliAsync("SAVE");
        var result = await RunAsync(null, "rdb", "resp", Path.Combine(source.Directory, "dump.rdb"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"${hint.Length}\r\n{hint}\r\n", Encoding.ASCII.GetString(result.Stdout));

        var replies = await SendAsync(target, result.Stdout);
        Assert.Equal("+OK\r\n+OK\r\n+OK\r\n+PONG\r\n", replies);
        Assert.Equal(bigValue, (await target.CliAsync("GET", "big")).Trim());
        Assert.Equal("4102444800000", (await target.CliAsync("PEXPIRETIME", bigKey)).Trim());
        if (hint == "FREQ")
        {
            // The LFU counter is logarithmic and probabilistic: reading it back may already have moved it by one.
            var sourceFreq = long.Parse((await source.CliAsync("OBJECT", "FREQ", "hot")).Trim());
            var targetFreq = long.Parse((await target.CliAsync("OBJECT", "FREQ", "hot")).Trim());
            Assert.InRange(targetFreq, sourceFreq - 1, sourceFreq + 1);
        }
        else
            Assert.True(long.Parse((await target.CliAsync("OBJECT", "IDLETIME", "hot")).Trim()) >= 0);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("resp")]
    public async Task AFileOfManyReadsIsPrintedWholeOnceValidated(string sub)
    {
        // 30,000 keys of 60-byte values, 2.2 MB: several reads of the validation pass, each printed once settled.
        var file = new MemoryStream();
        file.Write("REDIS0010"u8);
        for (int i = 0; i < 30_000; i++)
        {
            var key = Encoding.ASCII.GetBytes($"key:{i:D6}");
            file.WriteByte(0);
            file.WriteByte((byte)key.Length);
            file.Write(key);
            file.WriteByte(60);
            file.Write(Encoding.ASCII.GetBytes(new string((char)('a' + i % 26), 60)));
        }
        file.WriteByte(255);
        file.Write(BitConverter.GetBytes(Shake.Rdb.Checksums.Crc64.Compute(file.ToArray())));
        var validated = await RunAsync(file.ToArray(), "rdb", sub, "-");
        var unvalidated = await RunAsync(file.ToArray(), "rdb", sub, "--no-validate", "-");
        Assert.Equal(0, validated.ExitCode);
        Assert.True(validated.Stdout.AsSpan().SequenceEqual(unvalidated.Stdout), "validated and unvalidated outputs differ");
        Assert.Contains("key:029999", validated.Text);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("stats")]
    [InlineData("resp")]
    public async Task InvalidInputExitsNonZeroWithTheErrorOnStderr(string sub)
    {
        var notRdb = await RunAsync(Encoding.ASCII.GetBytes("this is not an RDB file at all"), "rdb", sub, "-");
        Assert.NotEqual(0, notRdb.ExitCode);
        Assert.Contains("not an RDB file", notRdb.Stderr);

        var truncated = await RunAsync(Encoding.ASCII.GetBytes("REDIS0010\xfe"), "rdb", sub, "-");
        Assert.NotEqual(0, truncated.ExitCode);
        Assert.Contains("offset", truncated.Stderr);

        {
            // A corrupt listpack inside an intact RDB, after a sound key: validation (the default) refuses it, naming the
            // key, and prints nothing made from the part of the file that held it, the sound key included.
            var corrupt = "REDIS0010"u8.ToArray().Concat(new byte[] { 0, 2, (byte)'o', (byte)'k', 1, (byte)'1' })
                .Concat(new byte[] { 16, 1, (byte)'h', 3, (byte)'b', (byte)'a', (byte)'d', 255 }).ToArray();
            var crc = Shake.Rdb.Checksums.Crc64.Compute(corrupt);
            corrupt = corrupt.Concat(BitConverter.GetBytes(crc)).ToArray();
            if (sub != "json") Assert.Equal(0, (await RunAsync(corrupt, "rdb", sub, "--no-validate", "-")).ExitCode);
            foreach (var flags in new[] { Array.Empty<string>(), ["--validate"] })
            {
                var validated = await RunAsync(corrupt, ["rdb", sub, .. flags, "-"]);
                Assert.NotEqual(0, validated.ExitCode);
                Assert.Contains("key \"h\"", validated.Stderr);
                Assert.Contains("corrupt", validated.Stderr);
                Assert.Contains("byte offset", validated.Stderr);
                Assert.Empty(validated.Stdout);
            }
        }

        var missing = await RunAsync(null, "rdb", sub, "/nonexistent/file.rdb");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.NotEmpty(missing.Stderr);
    }

    [Theory]
    [InlineData(new[] { "rdb", "json", "f.rdb" }, RdbSubcommand.Json, "f.rdb", true, false)]
    [InlineData(new[] { "rdb", "json", "--no-validate", "f.rdb" }, RdbSubcommand.Json, "f.rdb", false, false)]
    [InlineData(new[] { "rdb", "stats", "--json", "-" }, RdbSubcommand.Stats, "-", true, true)]
    [InlineData(new[] { "rdb", "stats", "--no-validate", "--json", "-" }, RdbSubcommand.Stats, "-", false, true)]
    [InlineData(new[] { "rdb", "stats", "f.rdb", "--validate", "--json" }, RdbSubcommand.Stats, "f.rdb", true, true)]
    [InlineData(new[] { "rdb", "resp", "--validate", "dir/f.rdb" }, RdbSubcommand.Resp, "dir/f.rdb", true, false)]
    public void PlainRdbCommandLinesAreRecognised(string[] args, RdbSubcommand subcommand, string file, bool validate, bool json)
    {
        Assert.True(RdbInvocation.TryParse(args, out var invocation));
        Assert.Equal(new RdbInvocation(subcommand, file, validate, json), invocation);
    }

    [Theory]
    [InlineData("rdb", "resp")]
    [InlineData("rdb", "resp", "--help")]
    [InlineData("rdb", "resp", "-h", "f.rdb")]
    [InlineData("rdb", "resp", "--", "f.rdb")]
    [InlineData("rdb", "resp", "@args.rsp")]
    [InlineData("rdb", "resp", "a.rdb", "b.rdb")]
    [InlineData("rdb", "resp", "--json", "f.rdb")]
    [InlineData("rdb", "json", "--validate", "--no-validate", "f.rdb")]
    [InlineData("rdb", "stats", "--json", "--json", "f.rdb")]
    [InlineData("rdb", "dump", "f.rdb")]
    [InlineData("sync.toml")]
    public void EverythingElseIsLeftToTheFullParser(params string[] args) =>
        Assert.False(RdbInvocation.TryParse(args, out _));

    [Fact]
    public async Task DirectAndFullParserPathsGiveTheSameResults()
    {
        await using var server = await RedisServer.StartAsync();
        var file = await SavedFileAsync(server);
        // "--" before the file is not a plain form, so the second run goes through System.CommandLine.
        foreach (var (options, stdin) in new (string[], byte[]?)[]
        {
            (["json"], null), (["stats", "--json"], null), (["resp"], null), (["resp", "--validate"], null), (["stats", "--no-validate"], null),
            (["resp"], "not an RDB"u8.ToArray()),
        })
        {
            var path = stdin is null ? file : "-";
            var direct = await RunAsync(stdin, ["rdb", .. options, path]);
            var parsed = await RunAsync(stdin, ["rdb", .. options, "--", path]);
            var what = string.Join(' ', options);
            Assert.Equal(stdin is null ? 0 : 1, direct.ExitCode);
            Assert.Equal(direct.ExitCode, parsed.ExitCode);
            Assert.Equal(direct.Stderr, parsed.Stderr);
            Assert.True(direct.Stdout.AsSpan().SequenceEqual(parsed.Stdout), $"rdb {what}: outputs differ");
            if (stdin is null) Assert.NotEmpty(direct.Stdout);
        }
    }
}
