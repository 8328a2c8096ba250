using System.Buffers;
using Shake.Rdb.Tests.Fixtures;
using Shake.Rdb.Values;
using Shake.Testing;

namespace Shake.Rdb.Tests.Canon;

public class CorruptCorpusTests
{
    [SharedFact]
    public void CorruptZiplistIsRefusedWithAnRdbFormatException()
    {
        var path = SharedAssets.PathOf("corpus", "redis-tests", "corrupt_ziplist.rdb")!;
        var ex = Assert.Throws<RdbFormatException>(() =>
        {
            var parsed = RdbFiles.Parse(path);
            using var decoder = new RdbValueDecoder();
            foreach (var e in parsed.Entries)
            {
                var v = new CanonicalValue(0);
                decoder.Decode(e.Type, new ReadOnlySequence<byte>(e.Raw), e.Magic, ref v);
            }
        });
        Assert.False(string.IsNullOrEmpty(ex.Reason));
        var validated = Assert.Throws<RdbFormatException>(() => RdbFiles.Parse(path, new Shake.Rdb.Parsing.RdbParserOptions { ValidateValues = true }));
        Assert.Contains("ziplist", validated.Message);
    }

    [SharedFact]
    public void LuaScriptsSavedAsAuxFieldsAreSurfaced()
    {
        var parsed = RdbFiles.Parse(SharedAssets.PathOf("corpus", "redis-tests", "scriptbackup.rdb")!);
        var scripts = parsed.Aux.Where(a => a.Key == "lua").ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, s => Assert.Contains("return", System.Text.Encoding.UTF8.GetString(s.Value)));
    }

    [SharedFact]
    public void AofWithRdbPreambleParsesUpToTheRdbEnd()
    {
        var path = SharedAssets.PathOf("corpus", "redis-tests", "rdb-preamble.aof")!;
        var bytes = File.ReadAllBytes(path);
        var handler = new RecordingHandler();
        using var parser = new Shake.Rdb.Parsing.RdbParser<RecordingHandler>(handler);
        var status = parser.Parse(new ReadOnlySequence<byte>(bytes), true, out var consumed, out _);
        Assert.Equal(Shake.Rdb.Parsing.RdbParseStatus.Completed, status);
        Assert.True(handler.Ended);
        Assert.True(parser.BytesConsumed < bytes.Length);
        Assert.Equal((byte)'*', bytes[parser.BytesConsumed]);
    }
}
