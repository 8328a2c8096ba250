using System.Buffers;
using System.Text;
using Shake.Core.Configuration;
using Shake.Core.Engine;
using Shake.Core.Failover;
using Shake.Core.Replication;

namespace Shake.Core.Tests.Failover;

/// <summary>The pure parts: what a server will answer to PSYNC, the command log, the sentinel options, the hello filter.</summary>
public sealed class FailoverPartsTests
{
    private const string Old = "1111111111111111111111111111111111111111";
    private const string New = "2222222222222222222222222222222222222222";

    private static ReplicationInfo Promoted(long secondOffset, long offset, long backlogFirst = 1, long? backlogLength = null) =>
        new("master", New, offset, Old, secondOffset, backlogFirst, backlogLength ?? offset - backlogFirst + 1);

    [Fact]
    public void APromotedReplicaContinuesItsOldHistoryUpToWhereItTookOver()
    {
        var verdict = ContinuationCheck.Evaluate(Old, 999, Promoted(secondOffset: 1000, offset: 1500));
        Assert.True(verdict.CanContinue);
        Assert.Null(verdict.Fork);
    }

    [Fact]
    public void AHistoryForkingBelowTheAppliedOffsetNamesTheRangeShakeAppliedAlone()
    {
        var verdict = ContinuationCheck.Evaluate(Old, 1200, Promoted(secondOffset: 1000, offset: 1500));
        Assert.False(verdict.CanContinue);
        Assert.Equal(new ForkRange(1000, 1200), verdict.Fork);
        Assert.Contains("second_repl_offset 1000", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("201 bytes", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownIdAndAnOffsetOutsideTheBacklogAreToldApart()
    {
        var unknown = ContinuationCheck.Evaluate("3333333333333333333333333333333333333333", 10, Promoted(1000, 1500));
        Assert.Contains("does not know replication id", unknown.Reason, StringComparison.Ordinal);
        var trimmed = ContinuationCheck.Evaluate(New, 10, new ReplicationInfo("master", New, 50_000, "", -1, 40_000, 10_001));
        Assert.False(trimmed.CanContinue);
        Assert.Contains("outside its backlog (bytes 40000..50000)", trimmed.Reason, StringComparison.Ordinal);
        Assert.True(ContinuationCheck.Evaluate(New, 50_000, new ReplicationInfo("master", New, 50_000, "", -1, 40_000, 10_001)).CanContinue);
    }

    [Fact]
    public void ReplicationInfoReadsTheFieldsOfInfo()
    {
        var info = ReplicationInfo.Parse($"# Replication\r\nrole:master\r\nmaster_replid:{New}\r\nmaster_replid2:{Old}\r\nmaster_repl_offset:1500\r\nsecond_repl_offset:1000\r\nrepl_backlog_active:1\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:1500\r\n");
        Assert.Equal(Promoted(1000, 1500), info);
    }

    [Fact]
    public void TheCommandLogNamesKeysOfTheRangeAndSaysWhenItForgot()
    {
        var log = new AppliedCommandLog(capacity: 4);
        log.Begin(0);
        long offset = 0;
        void Add(params string[] command)
        {
            var encoded = Encode(command);
            offset += encoded.Length;
            log.Record(encoded, offset, 0);
        }
        Add("SET", "a", "1");
        var afterA = offset;
        Add("MSET", "b", "1", "c", "2");
        Add("SET", "long", new string('x', 400));
        var (commands, complete) = log.Within(new ForkRange(afterA + 1, offset));
        Assert.True(complete);
        Assert.Equal(["MSET", "SET"], commands.Select(c => c.Name));
        Assert.Equal(["'b'", "'c'"], commands[0].Keys);
        Assert.Equal(["'long'"], commands[1].Keys);
        Assert.False(commands[1].Whole);

        Add("DEL", "d");
        Add("DEL", "e");
        Add("DEL", "f");
        var (all, whole) = log.Within(new ForkRange(1, offset));
        Assert.Equal(4, all.Count);
        Assert.False(whole);
    }

    [Fact]
    public void TheCommandLogTakesSequencesCutBySegments()
    {
        var log = new AppliedCommandLog();
        log.Begin(100);
        var encoded = Encode(["HSET", "h", "f", "v"]);
        var first = new Segment(encoded.AsMemory(0, 7));
        var last = first.Append(encoded.AsMemory(7));
        log.Record(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), 100 + encoded.Length, 3);
        var found = Assert.Single(log.Within(new ForkRange(101, 100 + encoded.Length)).Commands);
        Assert.Equal(("HSET", 3), (found.Name, found.Db));
        Assert.Equal(["'h'"], found.Keys);
    }

    [Fact]
    public void SentinelHellosAreNotForwardedButOtherPublishesAre()
    {
        Assert.Equal(StreamCommandKind.SentinelHello, StreamCommandClassifier.Classify("publish"u8, "__sentinel__:hello"u8));
        Assert.Equal(StreamCommandKind.SentinelHello, StreamCommandClassifier.Classify(new ReadOnlySequence<byte>("PUBLISH"u8.ToArray()), new ReadOnlySequence<byte>("__sentinel__:hello"u8.ToArray())));
        Assert.Equal(StreamCommandKind.Forward, StreamCommandClassifier.Classify("PUBLISH"u8, "__SENTINEL__:HELLO"u8));
        Assert.Equal(StreamCommandKind.Forward, StreamCommandClassifier.Classify("PUBLISH"u8, "news"u8));
    }

    [Fact]
    public void SentinelOptionsAreReadFromBothFormatsPrintedAndLoadedBack()
    {
        var v4 = ShakeConfigLoader.LoadText("""
            [sync_reader]
            [sync_reader.sentinel]
            master_name = "mymaster"
            address = "127.0.0.1:26379, 127.0.0.1:26380"
            password = "secret"

            [redis_writer]
            address = "127.0.0.1:6380"

            [advanced]
            target_wait_replicas = 1
            target_wait_timeout_ms = 250
            """, "v4.toml").Config;
        var sync = Assert.IsType<SyncReaderOptions>(v4.Reader);
        Assert.Equal(new[] { "127.0.0.1:26379", "127.0.0.1:26380" }, sync.Sentinel!.Addresses);
        Assert.Equal(("mymaster", "secret", ""), (sync.Sentinel.MasterName, sync.Sentinel.Password, sync.Source.Address));
        Assert.Equal((1, 250), (v4.Advanced.TargetWaitReplicas, v4.Advanced.TargetWaitTimeoutMs));
        var printed = ShakeConfigPrinter.Print(v4);
        Assert.Contains("[sync_reader.sentinel]", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", printed, StringComparison.Ordinal);
        Assert.Contains("target_wait_replicas = 1", printed, StringComparison.Ordinal);
        var again = ShakeConfigLoader.LoadText(ShakeConfigPrinter.Print(v4, redactSecrets: false), "again.toml").Config;
        Assert.Equal(sync.Sentinel.Addresses, ((SyncReaderOptions)again.Reader).Sentinel!.Addresses);
        Assert.Equal(v4.Advanced, again.Advanced);

        var v3 = ShakeConfigLoader.LoadText("""
            type = "sync"
            [source]
            [source.sentinel]
            master_name = "mymaster"
            address = "127.0.0.1:26379"
            [target]
            address = "127.0.0.1:6380"
            """, "v3.toml").Config;
        Assert.Equal("mymaster", ((SyncReaderOptions)v3.Reader).Sentinel!.MasterName);
    }

    [Fact]
    public void ASentinelNeedsAMasterNameAndCannotBeACluster()
    {
        var error = Assert.Throws<ShakeConfigException>(() => ShakeConfigLoader.LoadText("""
            [sync_reader]
            cluster = true
            address = "127.0.0.1:7000"
            [sync_reader.sentinel]
            address = "127.0.0.1:26379"
            [redis_writer]
            address = "127.0.0.1:6380"
            """, "bad.toml"));
        Assert.Contains(error.Errors, e => e.Key == "sync_reader.sentinel.master_name");
        Assert.Contains(error.Errors, e => e.Key == "sync_reader.sentinel" && e.Message.Contains("cluster", StringComparison.Ordinal));
    }

    [Fact]
    public void TheStatusLineShowsReplicatedOffsetAndDivergences()
    {
        var statistics = new EngineStatistics();
        statistics.SetReplicatedOffset(1234);
        statistics.Diverged(6);
        var line = StatusLine.Format(statistics.Snapshot(), null);
        Assert.Contains("replicated=1234", line, StringComparison.Ordinal);
        Assert.Contains("diverged=6 cmds in 1 failover(s)", line, StringComparison.Ordinal);
    }

    private static byte[] Encode(string[] command)
    {
        var text = new StringBuilder($"*{command.Length}\r\n");
        foreach (var part in command) text.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
