using Shake.Core.Configuration;
using System.Buffers;
using System.Globalization;
using System.Text;
using Shake.Core.Conversion;
using Shake.Core.Routing;

namespace Shake.Core.Tests.Conversion;

public sealed class ConversionPartsTests
{
    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(3479099956230698.0, "3479099956230698")]
    public void Scores_are_written_as_short_exact_text(double score, string text)
    {
        var buffer = new byte[ScoreText.MaxLength];
        Assert.Equal(text, Encoding.ASCII.GetString(buffer, 0, ScoreText.Format(score, buffer)));
    }

    [Fact]
    public void Score_text_parses_back_to_the_same_bits()
    {
        var random = new Random(3);
        var buffer = new byte[ScoreText.MaxLength];
        double[] edges = [double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-300, 0.1 + 0.2, -0.0, 1 / 3.0];
        foreach (var value in edges.Concat(Enumerable.Range(0, 10000).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64()))).Where(d => double.IsFinite(d)))
        {
            var length = ScoreText.Format(value, buffer);
            var back = double.Parse(Encoding.ASCII.GetString(buffer, 0, length), CultureInfo.InvariantCulture);
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(back));
        }
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("user:{42}:name")]
    [InlineData("open{only")]
    [InlineData("{tag}")]
    public void Staging_keys_hash_to_the_same_slot(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var staging = new byte[StagingKey.MaxLength(bytes.Length)];
        var length = StagingKey.Write(bytes, staging);
        Assert.Equal(ClusterSlot.Of(bytes), ClusterSlot.Of(staging.AsSpan(0, length)));
        Assert.NotEqual(key, Encoding.UTF8.GetString(staging, 0, length));
    }

    [Fact]
    public void Module_ids_decode_to_their_type_name()
    {
        var id = BehaviorTests.ModuleId("ReJSON-RL", 3);
        Assert.Equal("ReJSON-RL", ModuleTypeName.Name(id));
        Assert.Equal(3, ModuleTypeName.EncodingVersion(id));
    }

    [Fact]
    public void Batches_never_pass_the_budget_and_keep_pairs_together()
    {
        var sink = new CollectingSink();
        using var batcher = new ElementBatcher();
        var key = "k"u8.ToArray();
        batcher.Begin("HSET"u8.ToArray(), key, 1, sink, 200);
        for (var i = 0; i < 100; i++) batcher.Add(Encoding.ASCII.GetBytes("field" + i), Encoding.ASCII.GetBytes("value" + i));
        batcher.Flush();
        Assert.True(sink.Commands.Count > 5);
        var fields = 0;
        foreach (var command in sink.Commands)
        {
            var parts = command.Split("\r\n");
            var count = int.Parse(parts[0][1..], CultureInfo.InvariantCulture);
            Assert.Equal(0, (count - 2) % 2);
            Assert.True(command.Length - parts[0].Length - 2 <= 200, command);
            fields += (count - 2) / 2;
        }
        Assert.Equal(100, fields);
    }

    private sealed class CollectingSink : Shake.Core.Writers.IEntryCommandSink
    {
        public List<string> Commands { get; } = [];
        public Shake.Core.Writers.TargetInfo Info { get; } = new("redis", "7.0.15", 10, 16, 1 << 20, false);
        public long ProtoMaxBulkLength => 1 << 20;
        public Shake.Core.Configuration.RestoreBehavior Behavior => Shake.Core.Configuration.RestoreBehavior.Panic;

        public void Write<TCommand>(TCommand command) where TCommand : Shake.Resp.Pipelining.IRespCommand
        {
            var buffer = new ArrayBufferWriter<byte>();
            command.WriteTo(buffer);
            Commands.Add(Encoding.ASCII.GetString(buffer.WrittenSpan));
        }

        public void WriteFinal<TCommand>(TCommand command) where TCommand : Shake.Resp.Pipelining.IRespCommand => Write(command);
    }
}
