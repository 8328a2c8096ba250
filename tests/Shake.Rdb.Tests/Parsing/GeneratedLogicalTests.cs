using System.Buffers;
using System.Globalization;
using System.Text;
using Shake.Rdb.Format;
using Shake.Rdb.Tests.Canon;
using Shake.Rdb.Tests.Fixtures;
using Shake.Rdb.Values;
using Shake.Testing;
using Shake.TestSupport;

namespace Shake.Rdb.Tests.Parsing;

/// <summary>Without the shared corpus: decode a file a local server saved and compare with what the server answers.</summary>
public class GeneratedLogicalTests
{
    [Fact]
    public async Task DecodedValuesEqualWhatTheServerReturns()
    {
        await using var server = await RedisServer.StartAsync();
        await using var r = await RawRespClient.ConnectAsync(server.Port);
        await Dataset.PopulateAsync(r);
        var parsed = RdbFiles.Parse(await File.ReadAllBytesAsync(Dataset.DumpPath(server)));
        using var decoder = new RdbValueDecoder();
        foreach (var e in parsed.Entries)
        {
            var value = new CanonicalValue(0, int.MaxValue);
            long count = decoder.Decode(e.Type, new ReadOnlySequence<byte>(e.Raw), e.Magic, ref value);
            await r.ExecuteAsync("SELECT", e.Db.ToString());
            var expected = await ServerValueAsync(r, e.Key, e.LogicalType);
            var actual = value.Format(e.LogicalType);
            if (e.LogicalType == RdbLogicalType.Stream) actual = actual[..actual.IndexOf(" meta=", StringComparison.Ordinal)];
            Assert.True(expected == actual, $"key {e.KeyText} ({RdbTypeInfo.Name(e.Type, e.Magic)}):\nserver {Cut(expected)}\nparsed {Cut(actual)}");
            Assert.True(count > 0 || e.KeyText == "stream:empty", $"{e.KeyText} decoded to no elements");
        }
        var stream = parsed.Entries.Single(e => e.KeyText == "stream:basic");
        var visitor = new CanonicalValue(0, int.MaxValue);
        decoder.Decode(stream.Type, new ReadOnlySequence<byte>(stream.Raw), stream.Magic, ref visitor);
        var text = visitor.Format(RdbLogicalType.Stream);
        Assert.Contains("name=\"g1\",consumers=2,pending=2", text);
        Assert.Contains("consumer-list=[\"alice\":0,\"bob\":2]", text);
        Assert.Contains("name=\"g2\",consumers=1,pending=0", text);
    }

    private static string Cut(string s) => s.Length > 600 ? s[..600] + "..." : s;

    private static async Task<string> ServerValueAsync(RawRespClient r, byte[] key, RdbLogicalType type)
    {
        byte[] Cmd(string s) => Encoding.UTF8.GetBytes(s);
        async Task<object?[]> Array(params byte[][] args) => (object?[])(await r.ExecuteAsync(args))!;
        switch (type)
        {
            case RdbLogicalType.String:
                return CliQuoting.Quote((byte[])(await r.ExecuteAsync(Cmd("GET"), key))!);
            case RdbLogicalType.List:
                return "[" + string.Join(',', (await Array(Cmd("LRANGE"), key, Cmd("0"), Cmd("-1"))).Select(x => CliQuoting.Quote((byte[])x!))) + "]";
            case RdbLogicalType.Set:
                return "[" + string.Join(',', (await Array(Cmd("SMEMBERS"), key)).Select(x => CliQuoting.Quote((byte[])x!)).Order(StringComparer.Ordinal)) + "]";
            case RdbLogicalType.ZSet:
            {
                var flat = await Array(Cmd("ZRANGE"), key, Cmd("0"), Cmd("-1"), Cmd("WITHSCORES"));
                var parts = new List<string>();
                for (int i = 0; i < flat.Length; i += 2)
                {
                    var scoreText = Encoding.ASCII.GetString((byte[])flat[i + 1]!);
                    double score = scoreText switch { "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, _ => double.Parse(scoreText, CultureInfo.InvariantCulture) };
                    parts.Add(CliQuoting.Quote((byte[])flat[i]!) + ":" + CanonicalValue.FormatScore(score));
                }
                return "[" + string.Join(',', parts) + "]";
            }
            case RdbLogicalType.Hash:
            {
                var flat = await Array(Cmd("HGETALL"), key);
                var pairs = new List<(string F, string V)>();
                for (int i = 0; i < flat.Length; i += 2) pairs.Add((CliQuoting.Quote((byte[])flat[i]!), CliQuoting.Quote((byte[])flat[i + 1]!)));
                return "[" + string.Join(',', pairs.OrderBy(p => p.F, StringComparer.Ordinal).Select(p => p.F + "=" + p.V)) + "]";
            }
            case RdbLogicalType.Stream:
            {
                var entries = await Array(Cmd("XRANGE"), key, Cmd("-"), Cmd("+"));
                var parts = entries.Select(x =>
                {
                    var entry = (object?[])x!;
                    var fields = (object?[])entry[1]!;
                    var fv = new List<string>();
                    for (int i = 0; i < fields.Length; i += 2) fv.Add(CliQuoting.Quote((byte[])fields[i]!) + "=" + CliQuoting.Quote((byte[])fields[i + 1]!));
                    return CliQuoting.Quote((byte[])entry[0]!) + "{" + string.Join(',', fv) + "}";
                });
                return "entries=[" + string.Join(',', parts) + "]";
            }
            default:
                return "?";
        }
    }
}
