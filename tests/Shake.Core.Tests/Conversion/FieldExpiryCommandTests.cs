using System.Buffers;
using System.Text;
using Shake.Core.Configuration;
using Shake.Core.Conversion;
using Shake.Core.Writers;
using Shake.Rdb.Format;
using Shake.Rdb.Parsing;
using Shake.Resp.Pipelining;
using Shake.Testing;

namespace Shake.Core.Tests.Conversion;

/// <summary>
/// The commands written for hash field expiries when the target has HPEXPIREAT (Redis 7.4+). No such server is
/// available to these tests, so the commands are checked as text against the fields' expiries in the RDB.
/// </summary>
public sealed class FieldExpiryCommandTests
{
    [SharedFact]
    public void Hash_field_expiries_become_HPEXPIREAT_per_expiry_time_on_a_7_4_target()
    {
        var rdb = File.ReadAllBytes(SharedAssets.PathOf("corpus", "generated", "redis-7.4.1.rdb")!);
        var logger = new ListLogger();
        using var converter = new PlainCommandConverter(new ConversionOptions(), logger);
        var sink = new TextSink(new TargetInfo("redis", "7.4.1", 12, 16, 512L << 20, false), RestoreBehavior.Rewrite);
        using var parser = new RdbParser<Collector>(new Collector(converter, sink, "hash:hfe:small"));
        Assert.Equal(RdbParseStatus.Completed, parser.Parse(new ReadOnlySequence<byte>(rdb), true, out _, out _));
        var expiries = HashFieldExpiries.Read(rdb)["hash:hfe:small"];

        var staging = "{hash:hfe:small}:shake-converting";
        Assert.Equal($"DEL {staging}", sink.Commands[0]);
        Assert.StartsWith($"HSET {staging} ", sink.Commands[1], StringComparison.Ordinal);
        var hpexpire = sink.Commands.Where(c => c.StartsWith("HPEXPIREAT ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(hpexpire);
        var fields = new List<string>();
        foreach (var command in hpexpire)
        {
            var parts = command.Split(' ');
            Assert.Equal(staging, parts[1]);
            Assert.True(long.Parse(parts[2]) > 1_700_000_000_000);
            Assert.Equal("FIELDS", parts[3]);
            Assert.Equal(int.Parse(parts[4]), parts.Length - 5);
            fields.AddRange(parts[5..]);
        }
        Assert.Equal(expiries.Order(), fields.Order());
        Assert.Equal($"RENAME {staging} hash:hfe:small", sink.Final);
        Assert.Equal(0, converter.FieldExpiriesDropped);
        Assert.Empty(logger.Entries);
    }

    private sealed class Collector(PlainCommandConverter converter, TextSink sink, string key) : IRdbHandler
    {

        public bool OnEntry(in RdbEntry entry)
        {
            if (entry.Key.SequenceEqual(Encoding.UTF8.GetBytes(key))) converter.Convert(entry, sink);
            return true;
        }
    }

    /// <summary>Keeps each command as space-separated text.</summary>
    private sealed class TextSink(TargetInfo info, RestoreBehavior behavior) : IEntryCommandSink
    {
        public List<string> Commands { get; } = [];
        public string? Final { get; private set; }
        public TargetInfo Info => info;
        public long ProtoMaxBulkLength => info.ProtoMaxBulkLength;
        public RestoreBehavior Behavior => behavior;
        public void Write<TCommand>(TCommand command) where TCommand : IRespCommand => Commands.Add(Text(command));
        public void WriteFinal<TCommand>(TCommand command) where TCommand : IRespCommand => Final = Text(command);

        private static string Text<TCommand>(TCommand command) where TCommand : IRespCommand
        {
            var buffer = new ArrayBufferWriter<byte>();
            command.WriteTo(buffer);
            var lines = Encoding.UTF8.GetString(buffer.WrittenSpan).Split("\r\n");
            // *N, then $len / value pairs.
            return string.Join(' ', lines.Skip(2).Where((_, i) => i % 2 == 0).Take(int.Parse(lines[0][1..])));
        }
    }
}
