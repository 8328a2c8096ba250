using Shake.Core.Configuration;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Shake.Core.Conversion;
using Shake.Core.Writers;
using Shake.Testing;

namespace Shake.Core.Tests.Conversion;

/// <summary>
/// RDB 11/12 files cannot be RESTOREd into Redis 7.0 (RDB 10), so every key of them goes through the converter;
/// the target then must list exactly like the server that wrote the file, except for hash field expiries, which
/// Redis 7.0 cannot hold (those must be reported by key).
/// </summary>
public sealed class CorpusConversionTests
{
    [SharedTheory]
    [InlineData("redis-7.2.6")]
    [InlineData("redis-7.4.1")]
    [InlineData("valkey-8.0.1")]
    public async Task Newer_rdb_converted_into_redis_7_0_lists_like_its_canonical_listing(string name)
    {
        var rdb = await File.ReadAllBytesAsync(SharedAssets.PathOf("corpus", "generated", name + ".rdb")!);
        var expected = (await File.ReadAllLinesAsync(SharedAssets.PathOf("corpus", "generated", name + ".canon.tsv")!))
            .Where(l => l.Length > 0).ToArray();
        var fieldTtls = HashFieldExpiries.Read(rdb);
        await using var target = await RedisServer.StartAsync();
        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);

        var result = await RdbToTarget.ApplyAsync(rdb, target, new TargetWriterOptions { Converter = converter, Behavior = RestoreBehavior.Panic }, logger);

        Assert.Equal(0, result.KeysFailed);
        Assert.Equal(0, result.KeysApplied);
        Assert.Equal(expected.Count(l => !l.StartsWith("-\t", StringComparison.Ordinal)), result.KeysConverted);
        Assert.Empty(logger.At(LogLevel.Error));
        Assert.Equal(fieldTtls.Values.Sum(f => f.Count), converter.FieldExpiriesDropped);
        foreach (var key in fieldTtls.Keys)
            Assert.Contains(logger.At(LogLevel.Warning), w => w.Contains(key, StringComparison.Ordinal) && w.Contains("HPEXPIREAT", StringComparison.Ordinal));

        var actual = await CanonListing.ReadAsync(target);
        var full = fieldTtls.Count == 0 ? [] : await CanonListing.ReadAsync(target, full: true);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var key = expected[i].Split('\t')[1];
            if (!fieldTtls.TryGetValue(key.Trim('"'), out var fields))
            {
                Assert.Equal(expected[i], actual[i]);
                continue;
            }
            // Only the field-TTL suffix may differ: rebuild it from the RDB and compare (digested values: by hash).
            var fullLine = full.Single(l => l.Split('\t')[1] == key);
            var quoted = fields.Select(f => $"\"{f}\"").Order(StringComparer.Ordinal);
            var withTtl = fullLine + " fttl=[" + string.Join(",", quoted) + "]";
            var value = withTtl.Split('\t', 5)[4];
            var expectedValue = expected[i].Split('\t', 5)[4];
            if (expectedValue.StartsWith('#'))
            {
                var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
                Assert.EndsWith("sha256:" + hash, expectedValue);
            }
            else
            {
                Assert.Equal(expected[i], withTtl);
            }
        }
    }
}
