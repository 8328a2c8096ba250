using System.Buffers;
using System.Text;
using Shake.Core.Engine;
using Shake.Core.Replication;
using Shake.Core.Tests.Engine;
using Shake.Core.Writers;
using Shake.Resp.Connections;
using Shake.Resp.Protocol;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Replication;

/// <summary>
/// The forwarder decides most commands on the span of one segment and falls back to the sequence reader for commands
/// cut by a segment boundary; both must forward the same commands, track SELECT and MULTI/EXEC, and account every byte.
/// </summary>
public sealed class StreamForwarderTests(ITestOutputHelper output)
{
    private const long StartOffset = 1000;

    private static readonly string[][] Commands =
    [
        ["SET", "a", "1"],
        ["PING"],
        ["SELECT", "2"],
        ["SET", "b", "x\r\ny"],
        ["REPLCONF", "GETACK", "*"],
        ["MULTI"],
        ["RPUSH", "l", "1", "2"],
        ["INCR", "n"],
        ["EXEC"],
        ["SELECT", "0"],
        ["HSET", "h", "f", new string('v', 5000)],
        ["REPLCONF", "ACK", "0"],
        ["select", "1"],
        ["set", "c", ""],
    ];

    public static TheoryData<string> Layouts => new() { "whole", "every byte", "random cuts", "cut inside headers" };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Commands_are_forwarded_alike_whether_whole_in_a_segment_or_cut_anywhere(string layout)
    {
        var stream = Encode(Commands);
        // A command still arriving at the end of the buffer is left for the next read.
        var partial = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\nz");
        var input = Cut([.. stream, .. partial], layout);

        await using var target = await RedisServer.StartAsync();
        var statistics = new EngineStatistics();
        await using var writer = await TargetWriter.ConnectAsync(new RedisConnectionOptions { Address = target.Address }, new TargetWriterOptions(), statistics, new TestLogger(output), CancellationToken.None);
        var confirmed = new ConfirmedOffset(StartOffset);
        writer.TrackOffsets(confirmed);
        var acks = 0;
        var forwarder = new StreamForwarder(writer, confirmed, statistics, null, StartOffset, () => acks++);

        var stopped = forwarder.Process(input);
        await writer.DrainAsync(CancellationToken.None);

        Assert.Equal(stream.Length, input.Slice(0, stopped).Length);
        Assert.Equal(StartOffset + stream.Length, forwarder.Offset);
        Assert.Equal(StartOffset + stream.Length, confirmed.Value);
        Assert.Equal(1, forwarder.Database);
        Assert.Equal(1, acks);
        Assert.False(writer.Failure.IsCompleted);
        Assert.Equal("1", (await Redis.CallAsync(target, "GET", "a")).AsString());
        Assert.Equal(5000, (await Redis.CallAsync(target, "HSTRLEN", "h", "f")).AsInt64());
        await using var db2 = await RedisConnection.ConnectAsync(Redis.Options(target, 2));
        Assert.Equal("x\r\ny", (await db2.ExecuteAsync("GET", "b")).AsString());
        Assert.Equal(["1", "2"], (await db2.ExecuteAsync("LRANGE", "l", "0", "-1")).Items!.Select(i => i.AsString()));
        Assert.Equal(1, (await db2.ExecuteAsync("GET", "n")).AsInt64());
        await using var db1 = await RedisConnection.ConnectAsync(Redis.Options(target, 1));
        Assert.Equal("", (await db1.ExecuteAsync("GET", "c")).AsString());
        Assert.Equal(0, (await db1.ExecuteAsync("EXISTS", "z")).AsInt64());
    }

    [Fact]
    public void Span_and_sequence_classification_agree()
    {
        string[] names = ["PING", "ping", "SELECT", "MULTI", "exec", "REPLCONF", "replconf", "SET", "EVALSHA", "PINGPONGX", "EXECUTE", ""];
        string[] arguments = ["", "GETACK", "getack", "ACK", "k", "GETACKS"];
        foreach (var name in names)
        foreach (var argument in arguments)
        {
            var n = Encoding.ASCII.GetBytes(name);
            var a = Encoding.ASCII.GetBytes(argument);
            Assert.Equal(StreamCommandClassifier.Classify(new ReadOnlySequence<byte>(n), new ReadOnlySequence<byte>(a)), StreamCommandClassifier.Classify(n, a));
        }
        Assert.Equal(StreamCommandKind.GetAck, StreamCommandClassifier.Classify("REPLCONF"u8, "GetAck"u8));
        Assert.Equal(7, StreamCommandClassifier.ParseDb("7"u8));
        Assert.Contains("'-1'", Assert.Throws<FormatException>(() => StreamCommandClassifier.ParseDb("-1"u8)).Message);
    }

    private static byte[] Encode(string[][] commands)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var c in commands) RespCommandWriter.WriteCommand(output, c);
        return output.WrittenSpan.ToArray();
    }

    private static ReadOnlySequence<byte> Cut(byte[] data, string layout)
    {
        var random = new Random(3);
        var cuts = layout switch
        {
            "whole" => [],
            "every byte" => Enumerable.Range(1, data.Length - 1).ToList(),
            "random cuts" => Enumerable.Range(0, 40).Select(_ => random.Next(1, data.Length)).Distinct().Order().ToList(),
            // Right after each '*' and '$': every header line is split.
            _ => Enumerable.Range(1, data.Length - 1).Where(i => data[i - 1] is (byte)'*' or (byte)'$').ToList(),
        };
        var bounds = cuts.Append(data.Length).ToList();
        Chunk? first = null, last = null;
        var start = 0;
        foreach (var end in bounds)
        {
            var chunk = new Chunk(data.AsMemory(start, end - start), start);
            if (first is null) first = chunk;
            else last!.Next = chunk;
            last = chunk;
            start = end;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public new Chunk? Next
        {
            get => (Chunk?)base.Next;
            set => base.Next = value;
        }
    }
}
