using System.Buffers;
using System.Text;
using Shake.Rdb.Dump;
using Shake.Rdb.Format;
using Shake.Rdb.Tests.Canon;
using Shake.Rdb.Tests.Fixtures;
using Shake.Rdb.Values;
using Shake.Testing;
using Shake.TestSupport;

namespace Shake.Rdb.Tests.Parsing;

public class CorpusRestoreTests
{
    public static TheoryData<string> RestorableFiles()
    {
        var data = new TheoryData<string>();
        var root = SharedAssets.PathOf("corpus");
        if (root is null) { data.Add("(absent)"); return data; }
        foreach (var line in File.ReadLines(Path.Combine(root, "INDEX.tsv")).Skip(1))
        {
            var cols = line.Split('\t');
            // Redis 7.0 accepts payloads up to RDB 10; the corrupt file and the AOF are covered elsewhere.
            if (int.Parse(cols[2]) <= 10 && cols[0].EndsWith(".rdb") && !cols[0].Contains("corrupt_ziplist")) data.Add(cols[0]);
        }
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(RestorableFiles))]
    public async Task EveryKeyRestoresToWhatTheServerLoadsNatively(string relative)
    {
        var file = SharedAssets.PathOf("corpus", relative)!;
        var parsed = RdbFiles.Parse(file);
        var dir = Directory.CreateTempSubdirectory("shake-rdb-native-");
        try
        {
            File.Copy(file, Path.Combine(dir.FullName, "native.rdb"));
            await using var native = await RedisServer.StartAsync(["--dir", dir.FullName, "--dbfilename", "native.rdb"]);
            await using var target = await RedisServer.StartAsync();
            await using var a = await RawRespClient.ConnectAsync(native.Port);
            await using var b = await RawRespClient.ConnectAsync(target.Port);
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var decoder = new RdbValueDecoder();
            int restored = 0;
            foreach (var e in parsed.Entries)
            {
                if (e.ExpireAtMs >= 0 && e.ExpireAtMs <= now) continue;
                var probe = new CanonicalValue(now);
                decoder.Decode(e.Type, new ReadOnlySequence<byte>(e.Raw), e.Magic, ref probe);
                if (e.LogicalType != RdbLogicalType.Stream && probe.Count(e.LogicalType) == 0) continue; // servers skip empty keys
                var payload = DumpPayload.ToArray(e.Type, new ReadOnlySequence<byte>(e.Raw), (ushort)e.RdbVersion);
                await b.ExecuteAsync("SELECT", e.Db.ToString());
                await b.ExecuteAsync([Encoding.UTF8.GetBytes("RESTORE"), e.Key, "0"u8.ToArray(), payload, "REPLACE"u8.ToArray()]);
                restored++;
            }
            var dbs = parsed.Entries.Select(e => e.Db).Distinct().ToArray();
            var expected = await Dataset.DumpAllAsync(a, dbs);
            var actual = await Dataset.DumpAllAsync(b, dbs);
            Assert.Equal(expected.Count, restored);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (key, dump) in expected)
            {
                var mine = actual[key];
                if (dump.AsSpan().SequenceEqual(mine)) continue;
                // Hash-table encodings serialise in per-process iteration order: compare contents instead.
                Assert.Equal(Canonical(decoder, dump, now), Canonical(decoder, mine, now));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Canonical(RdbValueDecoder decoder, byte[] dump, long now)
    {
        var value = new CanonicalValue(now);
        decoder.Decode(dump[0], new ReadOnlySequence<byte>(dump.AsMemory(1, dump.Length - 11)), RdbMagicKind.Redis, ref value);
        RdbTypeInfo.TryGetLogicalType(dump[0], RdbMagicKind.Redis, out var logical);
        return value.Format(logical);
    }
}
