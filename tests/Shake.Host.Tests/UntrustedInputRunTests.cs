using System.Buffers;
using System.Text;
using Shake.Host.Commands;
using Shake.Rdb.Dump;
using Shake.Resp.Connections;
using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>
/// Restore mode and sync runs meeting corrupt values: a real source stores a hash listpack with a duplicate field
/// (accepted without deep sanitization, which is the server default), so its own RDB carries the corruption.
/// </summary>
public class UntrustedInputRunTests
{
    private const string CorruptKey = "corrupt:hash";

    // Data keys: a sync also keeps its checkpoint and the checkpoint index in the target.
    private static async Task<long> DbSize(RedisServer server) =>
        long.Parse((await server.CliAsync("DBSIZE")).Trim()) - (await server.CliAsync("KEYS", "shake-checkpoint*")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>A hash listpack f=v, f=w: framing and checksum sound, a field twice.</summary>
    private static byte[] DuplicateFieldPayload()
    {
        byte[] entry(char c) => [0x81, (byte)c, 0x02];
        byte[] listpack = [19, 0, 0, 0, 4, 0, .. entry('f'), .. entry('v'), .. entry('f'), .. entry('w'), 0xFF];
        byte[] raw = [(byte)listpack.Length, .. listpack];
        return DumpPayload.ToArray(16, new ReadOnlySequence<byte>(raw), 9);
    }

    /// <summary>A source holding <paramref name="before"/> good keys, the corrupt one, then more good keys, in one database.</summary>
    private static async Task<RedisServer> CorruptSourceAsync(int good)
    {
        var source = await RedisServer.StartAsync(["--sanitize-dump-payload", "no"]);
        await source.CliAsync("DEBUG", "POPULATE", good.ToString(), "key", "10");
        await using var connection = await RedisConnection.ConnectAsync(new RedisConnectionOptions { Address = source.Address });
        var reply = await connection.ExecuteAsync([Encoding.ASCII.GetBytes("RESTORE"), Encoding.ASCII.GetBytes(CorruptKey), "0"u8.ToArray(), DuplicateFieldPayload()]);
        Assert.False(reply.IsError, reply.AsString());
        return source;
    }

    private static string RestoreConfig(string file, RedisServer target, string dir, string extra = "") => $"""
        [rdb_reader]
        filepath = "{file}"
        [redis_writer]
        address = "{target.Address}"
        [advanced]
        dir = "{dir}"
        {extra}
        """;

    [Fact]
    public async Task ACorruptFileWritesNothingNotEvenTheFlushAndExitsNonZeroNamingTheKey()
    {
        using var dir = new TempDir();
        await using var source = await CorruptSourceAsync(500);
        await source.CliAsync("SAVE");
        await using var target = await RedisServer.StartAsync();
        await target.CliAsync("SET", "precious", "1");
        var config = dir.Write("restore.toml", RestoreConfig(Path.Combine(source.Directory, "dump.rdb"), target, dir.Path, "empty_db_before_sync = true"));
        var (code, output, error) = await ShakeRunner.RunAsync(config);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("nothing was written", error);
        Assert.Contains($"key \"{CorruptKey}\" (hash-listpack)", error);
        Assert.Contains("duplicate hash field", error);
        Assert.Contains("byte offset", error);
        Assert.Equal(1, await DbSize(target));
        Assert.Equal("1", (await target.CliAsync("GET", "precious")).Trim());
        Assert.DoesNotContain("FLUSHALL on", output);
    }

    [SharedFact]
    public async Task TheCorruptZiplistOfTheCorpusWritesNothing()
    {
        using var dir = new TempDir();
        await using var target = await RedisServer.StartAsync();
        var file = SharedAssets.PathOf("corpus", "redis-tests", "corrupt_ziplist.rdb")!;
        var (code, _, error) = await ShakeRunner.RunAsync(dir.Write("restore.toml", RestoreConfig(file, target, dir.Path)));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("key \"key:000000000091\" (hash-ziplist)", error);
        Assert.Contains("at byte offset 488", error);
        Assert.Equal(0, await DbSize(target));
    }

    [Fact]
    public async Task ASinglePassRestoreWritesTheGoodPrefixAndReportsAPartialCopy()
    {
        using var dir = new TempDir();
        await using var source = await CorruptSourceAsync(2000);
        await source.CliAsync("SAVE");
        await using var target = await RedisServer.StartAsync();
        var config = dir.Write("restore.toml", RestoreConfig(Path.Combine(source.Directory, "dump.rdb"), target, dir.Path, "restore_single_pass = true"));
        var (code, output, error) = await ShakeRunner.RunAsync(config);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"key \"{CorruptKey}\"", error);
        Assert.Contains("partial copy", error);
        Assert.DoesNotContain("validating", output);
        var written = await DbSize(target);
        Assert.Contains($"stopped after {written} keys were written", error);
        // The file's order is the hash table's: some keys come after the corrupt one and are not written.
        Assert.InRange(written, 0, 1999);
        Assert.Equal("0", (await target.CliAsync("EXISTS", CorruptKey)).Trim());
    }

    [Fact]
    public async Task ASyncValidatingSourcePayloadsRefusesTheCorruptKeyAndExitsNonZeroWithTheCount()
    {
        using var dir = new TempDir();
        await using var source = await CorruptSourceAsync(300);
        await using var target = await RedisServer.StartAsync();
        var config = dir.Write("sync.toml", $"""
            [sync_reader]
            address = "{source.Address}"
            sync_aof = false
            [redis_writer]
            address = "{target.Address}"
            [advanced]
            dir = "{dir.Path}"
            validate_source_payloads = true
            """);
        var (code, output, error) = await ShakeRunner.RunAsync(config);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("sync incomplete: 1 key failed", error);
        Assert.Contains($"'{CorruptKey}' (db 0): value of key \"{CorruptKey}\" (hash-listpack, entry at byte offset", error);
        Assert.Contains("the key is not written", output);
        Assert.Equal(300, await DbSize(target));
    }

    [Fact]
    public async Task KeysTheTargetRefusesMakeARestoreExitNonZeroNamingTheFirstTen()
    {
        using var dir = new TempDir();
        await using var source = await RedisServer.StartAsync();
        await source.CliAsync("DEBUG", "POPULATE", "50", "key", "10");
        await source.CliAsync("SAVE");
        await using var target = await RedisServer.StartAsync(["--maxmemory", "1", "--maxmemory-policy", "noeviction"]);
        var config = dir.Write("restore.toml", RestoreConfig(Path.Combine(source.Directory, "dump.rdb"), target, dir.Path));
        var (code, _, error) = await ShakeRunner.RunAsync(config);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("restore incomplete: 50 keys failed", error);
        Assert.Contains("the first 10:", error);
        Assert.Equal(10, error.Split('\n').Count(l => l.StartsWith("  'key:", StringComparison.Ordinal)));
        Assert.Contains("OOM", error);
    }
}
