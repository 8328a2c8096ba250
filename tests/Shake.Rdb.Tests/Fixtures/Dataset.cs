using System.Text;
using Shake.Testing;
using Shake.TestSupport;

namespace Shake.Rdb.Tests.Fixtures;

/// <summary>
/// Fills a real server with every type and encoding Redis 7.0 writes (small and large encodings, integer and LZF
/// keys, quicklist plain nodes, streams with groups/PEL/consumers, expiries, several databases, a function library)
/// and saves it.
/// </summary>
public static class Dataset
{
    public static async Task PopulateAsync(RawRespClient r)
    {
        await r.ExecuteAsync("CONFIG", "SET", "list-max-listpack-size", "4");
        await r.ExecuteAsync("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000");
        var rnd = new Random(42);
        // strings
        await r.ExecuteAsync("SET", "str:small", "hello");
        await r.ExecuteAsync("SET", "str:empty", "");
        foreach (var n in new[] { "0", "-1", "127", "-128", "32767", "-32768", "2147483647", "-2147483648", "9223372036854775807", "007", "+5" })
            await r.ExecuteAsync("SET", "str:int:" + n, n);
        await r.ExecuteAsync("SET", "str:lzf", new string('a', 3000) + "tail");
        var random = new byte[25000];
        rnd.NextBytes(random);
        await r.ExecuteAsync([Encoding.UTF8.GetBytes("SET"), Encoding.UTF8.GetBytes("str:random"), random]);
        await r.ExecuteAsync([Encoding.UTF8.GetBytes("SET"), [0, 1, 2, 0xff, (byte)'\r', (byte)'\n'], [0xfe, 0]]);
        await r.ExecuteAsync("SET", "12345", "integer key");
        await r.ExecuteAsync("SET", new string('k', 100), "lzf key");
        await r.ExecuteAsync("SET", "str:ttl", "v", "PXAT", "4102444800000");
        // lists
        await r.ExecuteAsync("RPUSH", "list:small", "a", "b", "1", "2");
        await r.ExecuteAsync(["RPUSH", "list:large", .. Enumerable.Range(0, 500).Select(i => "item-" + i)]);
        await r.ExecuteAsync("RPUSH", "list:plain", "x", new string('p', 2000), "y", new string('q', 1500));
        await r.ExecuteAsync(["RPUSH", "list:ints", .. Enumerable.Range(-50, 100).Select(i => (i * 1000003L).ToString())]);
        // sets
        await r.ExecuteAsync("SADD", "set:intset", "1", "2", "3", "-9223372036854775808", "9223372036854775807");
        await r.ExecuteAsync("SADD", "set:str", "a", "b", "c");
        await r.ExecuteAsync(["SADD", "set:large", .. Enumerable.Range(0, 600).Select(i => "m" + i)]);
        // sorted sets
        await r.ExecuteAsync("ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0.1", "e");
        await r.ExecuteAsync(["ZADD", "zset:large", .. Enumerable.Range(0, 300).SelectMany(i => new[] { (i * 0.37).ToString("R"), "z" + i })]);
        // hashes
        await r.ExecuteAsync("HSET", "hash:small", "f1", "v1", "f2", "22", "empty", "");
        await r.ExecuteAsync(["HSET", "hash:large", .. Enumerable.Range(0, 600).SelectMany(i => new[] { "f" + i, "v" + i })]);
        await r.ExecuteAsync("HSET", "hash:longval", "f", new string('h', 200));
        await r.ExecuteAsync("HSET", "hash:ttl", "a", "1");
        await r.ExecuteAsync("PEXPIREAT", "hash:ttl", "4102444800000");
        // streams
        await r.ExecuteAsync("XADD", "stream:basic", "1-1", "name", "alice", "age", "30");
        await r.ExecuteAsync("XADD", "stream:basic", "1-2", "name", "bob", "age", "25");
        await r.ExecuteAsync("XADD", "stream:basic", "1-3", "other", "x");
        await r.ExecuteAsync("XADD", "stream:basic", "2-0", "name", "carol", "age", "41");
        await r.ExecuteAsync("XDEL", "stream:basic", "1-3");
        await r.ExecuteAsync("XGROUP", "CREATE", "stream:basic", "g1", "0");
        await r.ExecuteAsync("XGROUP", "CREATE", "stream:basic", "g2", "$");
        await r.ExecuteAsync("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", "stream:basic", ">");
        await r.ExecuteAsync("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "stream:basic", ">");
        await r.ExecuteAsync("XACK", "stream:basic", "g1", "1-1");
        await r.ExecuteAsync("XGROUP", "CREATECONSUMER", "stream:basic", "g2", "carol");
        for (int i = 0; i < 300; i++)
            await r.ExecuteAsync("XADD", "stream:large", "*", "i", i.ToString(), "payload", "p" + (i % 7));
        await r.ExecuteAsync("XADD", "stream:empty", "5-5", "a", "b");
        await r.ExecuteAsync("XDEL", "stream:empty", "5-5");
        // other databases
        await r.ExecuteAsync("SELECT", "3");
        await r.ExecuteAsync("SET", "db3:key", "in db 3");
        await r.ExecuteAsync("RPUSH", "db3:list", "1");
        await r.ExecuteAsync("SELECT", "0");
        await r.ExecuteAsync("FUNCTION", "LOAD", "#!lua name=testlib\nredis.register_function('tf', function(keys, args) return 1 end)");
        await r.ExecuteAsync("SAVE");
    }

    /// <summary>Every key of every database with its DUMP bytes, as (db, key) → payload.</summary>
    public static async Task<Dictionary<(int Db, string Key), byte[]>> DumpAllAsync(RawRespClient r, params int[] dbs)
    {
        var result = new Dictionary<(int, string), byte[]>();
        foreach (var db in dbs)
        {
            await r.ExecuteAsync("SELECT", db.ToString());
            var keys = (object?[])(await r.ExecuteAsync("KEYS", "*"))!;
            foreach (byte[] key in keys.Cast<byte[]>())
            {
                var dump = (byte[])(await r.ExecuteAsync([Encoding.UTF8.GetBytes("DUMP"), key]))!;
                result[(db, Convert.ToHexString(key))] = dump;
            }
        }
        await r.ExecuteAsync("SELECT", "0");
        return result;
    }

    public static string DumpPath(RedisServer server) => Path.Combine(server.Directory, "dump.rdb");
}
