using System.Globalization;
using Shake.Core.Verification.Comparing;
using Shake.Core.Verification.Model;
using Shake.Resp.Connections;
using Shake.Resp.Pipelining;
using Shake.Resp.Protocol;

namespace Shake.Core.Verification.Keyspace;

/// <summary>
/// One server of a side (a standalone server or a cluster master): a pipelined client per database, opened on first
/// use, and the batched reads a verification needs (SCAN, type and expiry, server digests, existence).
/// </summary>
public sealed class KeyspaceNode : IAsyncDisposable
{
    private const int PipelineLimit = 64;

    private readonly RedisConnectionOptions _options;
    private readonly Dictionary<int, Task<PipelinedClient<int>>> _clients = [];
    // SCAN has its own connection per database, so the next page is not queued behind the probes of the last ones.
    private readonly Dictionary<int, Task<PipelinedClient<int>>> _scanClients = [];
    private readonly Lock _clientsLock = new();
    private readonly ProbeScripts _scripts;

    private KeyspaceNode(RedisConnectionOptions options, string version, bool serverDigest)
    {
        _options = options;
        Version = version;
        HasAbsoluteExpiry = IsAtLeast(version, 7);
        ServerDigest = serverDigest;
        _scripts = ProbeScripts.For(HasAbsoluteExpiry);
    }

    /// <summary>The server's address.</summary>
    public string Address => _options.Address;

    /// <summary>The server's <c>redis_version</c>.</summary>
    public string Version { get; }

    /// <summary>Whether the server has PEXPIRETIME (7.0+); otherwise expiries are read as now + PTTL.</summary>
    public bool HasAbsoluteExpiry { get; }

    /// <summary>Whether <c>DEBUG DIGEST-VALUE</c> answers (it is refused when <c>enable-debug-command</c> forbids it).</summary>
    public bool ServerDigest { get; }

    /// <summary>Connects, reads the version and checks whether the server computes value digests.</summary>
    public static async Task<KeyspaceNode> OpenAsync(RedisConnectionOptions options, bool tryServerDigest, CancellationToken cancellation)
    {
        await using var connection = await RedisConnection.ConnectAsync(options, cancellation);
        var info = (await connection.ExecuteAsync(["INFO", "server"], cancellation)).ThrowIfError(options.Address, "INFO").AsString() ?? "";
        var version = InfoField(info, "redis_version") ?? "0.0.0";
        var digest = false;
        if (tryServerDigest)
        {
            var reply = await connection.ExecuteAsync(["DEBUG", "DIGEST-VALUE", "shake-verify-probe"], cancellation);
            digest = !reply.IsError && reply.Kind is RespKind.Array or RespKind.Set && reply.Items.Count == 1;
        }
        return new KeyspaceNode(options, version, digest);
    }

    /// <summary>The pipelined client for database <paramref name="db"/>.</summary>
    public Task<PipelinedClient<int>> ClientAsync(int db, CancellationToken cancellation) => ClientAsync(_clients, db, cancellation);

    private Task<PipelinedClient<int>> ClientAsync(Dictionary<int, Task<PipelinedClient<int>>> clients, int db, CancellationToken cancellation)
    {
        lock (_clientsLock)
        {
            if (!clients.TryGetValue(db, out var client))
                clients[db] = client = ConnectAsync(db, cancellation);
            return client;
        }
    }

    private async Task<PipelinedClient<int>> ConnectAsync(int db, CancellationToken cancellation) =>
        new(await RedisConnection.ConnectAsync(_options with { Database = db, ClientName = "shake-verify" }, cancellation), PipelineLimit);

    /// <summary>The databases holding keys, from <c>INFO keyspace</c>.</summary>
    public async Task<IReadOnlyList<int>> DatabasesWithKeysAsync(CancellationToken cancellation)
    {
        var client = await ClientAsync(0, cancellation);
        var info = (await client.SendAsync(new StringCommand(["INFO", "keyspace"]), cancellation)).ThrowIfError(Address, "INFO").AsString() ?? "";
        var dbs = new List<int>();
        foreach (var line in info.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (line.StartsWith("db", StringComparison.Ordinal) && colon > 2 && int.TryParse(line.AsSpan(2, colon - 2), CultureInfo.InvariantCulture, out var db))
                dbs.Add(db);
        }
        return dbs;
    }

    /// <summary>The number of keys in <paramref name="db"/> (<c>DBSIZE</c>).</summary>
    public async Task<long> CountAsync(int db, CancellationToken cancellation)
    {
        var client = await ClientAsync(db, cancellation);
        return (await client.SendAsync(new StringCommand(["DBSIZE"]), cancellation)).ThrowIfError(Address, "DBSIZE").AsInt64();
    }

    /// <summary>One SCAN step: the next cursor (<c>"0"</c> when done) and the keys it returned.</summary>
    public async Task<(string Cursor, List<byte[]> Keys)> ScanAsync(int db, string cursor, int count, CancellationToken cancellation)
    {
        var client = await ClientAsync(_scanClients, db, cancellation);
        var reply = (await client.SendAsync(new StringCommand(["SCAN", cursor, "COUNT", count.ToString(CultureInfo.InvariantCulture)]), cancellation)).ThrowIfError(Address, "SCAN");
        var keys = new List<byte[]>(reply.Items[1].Items.Count);
        foreach (var key in reply.Items[1].Items) keys.Add(key.Bytes);
        return (reply.Items[0].AsString()!, keys);
    }

    /// <summary>
    /// Reads type, absolute expiry and value digest of the selected keys into <paramref name="states"/> at the same
    /// indexes: small values come whole from the probe script and are digested here; the others get the server's digest
    /// when <see cref="ServerDigest"/>, else none (the comparer then asks for a value check).
    /// </summary>
    public async Task ProbeAsync(int db, IReadOnlyList<byte[]> keys, IReadOnlyList<int> selection, KeyState[] states, CancellationToken cancellation)
    {
        if (selection.Count == 0) return;
        var client = await ClientAsync(db, cancellation);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var reply = await RunScriptAsync(client, _scripts.TypeAndExpirySha, _scripts.TypeAndExpiry, keys, selection, cancellation);
        List<int>? digestless = null;
        for (var i = 0; i < selection.Count; i++)
        {
            var type = RedisValueTypes.Parse(reply.Items[3 * i].Bytes);
            if (type == RedisValueType.None)
            {
                states[selection[i]] = KeyState.Missing;
                continue;
            }
            var expiry = reply.Items[3 * i + 1].Integer;
            if (expiry < 0) expiry = -1;
            else if (!HasAbsoluteExpiry) expiry += now;
            var value = reply.Items[3 * i + 2];
            if (value.IsNull)
            {
                states[selection[i]] = new KeyState(type, expiry, UInt128.Zero, DigestKind.None);
                // The server's stream digest leaves out consumer groups: streams are always read by the value check.
                if (type != RedisValueType.Stream) (digestless ??= []).Add(selection[i]);
            }
            else states[selection[i]] = new KeyState(type, expiry, InlineDigest(type, value), DigestKind.Client);
        }
        if (digestless is null || !ServerDigest) return;
        var digests = (await client.SendAsync(new KeyListCommand(["DEBUG", "DIGEST-VALUE"], keys, digestless), cancellation)).ThrowIfError(Address, "DEBUG DIGEST-VALUE");
        for (var i = 0; i < digestless.Count; i++)
        {
            ref var state = ref states[digestless[i]];
            state = state with { Digest = ParseDigest(digests.Items[i].Bytes), DigestKind = DigestKind.Server };
        }
    }

    private static UInt128 InlineDigest(RedisValueType type, RespValue value) => type switch
    {
        RedisValueType.String => ValueHash.OfString(value.Bytes),
        RedisValueType.Hash => ValueHash.OfHash(value.Items),
        RedisValueType.Set => ValueHash.OfSet(value.Items),
        RedisValueType.ZSet => ValueHash.OfSortedSet(value.Items),
        _ => ValueHash.OfList(value.Items),
    };

    /// <summary>Whether each selected key exists, into <paramref name="exists"/> at the same indexes.</summary>
    public async Task ExistsAsync(int db, IReadOnlyList<byte[]> keys, IReadOnlyList<int> selection, bool[] exists, CancellationToken cancellation)
    {
        if (selection.Count == 0) return;
        var client = await ClientAsync(db, cancellation);
        var reply = await RunScriptAsync(client, _scripts.ExistsSha, _scripts.Exists, keys, selection, cancellation);
        for (var i = 0; i < selection.Count; i++) exists[selection[i]] = reply.Items[i].Integer != 0;
    }

    private async Task<RespValue> RunScriptAsync(PipelinedClient<int> client, string sha, string script, IReadOnlyList<byte[]> keys, IReadOnlyList<int> selection, CancellationToken cancellation)
    {
        var reply = await client.SendAsync(new KeyListCommand(["EVALSHA", sha, "0"], keys, selection), cancellation);
        // The script cache is per server and emptied by SCRIPT FLUSH or a restart: send the text once more.
        if (reply.IsError && reply.AsError().Kind == RespErrorKind.NoScript)
            reply = await client.SendAsync(new KeyListCommand(["EVAL", script, "0"], keys, selection), cancellation);
        return reply.ThrowIfError(Address, "EVALSHA (verify probe)");
    }

    // The digest is 40 hex characters (SHA1); its first 128 bits are plenty to tell values apart.
    private static UInt128 ParseDigest(ReadOnlySpan<byte> hex)
    {
        Span<byte> bytes = stackalloc byte[20];
        if (hex.Length != 40 || Convert.FromHexString(hex, bytes, out _, out _) != System.Buffers.OperationStatus.Done) return UInt128.MaxValue;
        return new UInt128(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    private static string? InfoField(string info, string name)
    {
        foreach (var line in info.Split('\n'))
            if (line.StartsWith(name + ":", StringComparison.Ordinal)) return line[(name.Length + 1)..].Trim();
        return null;
    }

    private static bool IsAtLeast(string version, int major) =>
        int.TryParse(version.Split('.')[0], CultureInfo.InvariantCulture, out var m) && m >= major;

    /// <summary>Closes every client.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Task<PipelinedClient<int>>> clients;
        lock (_clientsLock) clients = [.. _clients.Values, .. _scanClients.Values];
        foreach (var client in clients)
        {
            try { await (await client).DisposeAsync(); }
            catch (Exception e) when (e is RedisConnectionException or OperationCanceledException) { }
        }
    }
}
