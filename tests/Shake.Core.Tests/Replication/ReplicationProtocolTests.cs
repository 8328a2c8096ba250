using System.Buffers;
using System.Text;
using Shake.Core.Replication;

namespace Shake.Core.Tests.Replication;

public sealed class ReplicationProtocolTests
{
    private static ReadOnlySequence<byte> B(string s) => new(Encoding.ASCII.GetBytes(s));

    [Theory]
    [InlineData("PING", "", StreamCommandKind.Ping)]
    [InlineData("ping", "", StreamCommandKind.Ping)]
    [InlineData("SELECT", "3", StreamCommandKind.Select)]
    [InlineData("MULTI", "", StreamCommandKind.Multi)]
    [InlineData("exec", "", StreamCommandKind.Exec)]
    [InlineData("REPLCONF", "GETACK", StreamCommandKind.GetAck)]
    [InlineData("replconf", "getack", StreamCommandKind.GetAck)]
    [InlineData("REPLCONF", "ACK", StreamCommandKind.ReplConf)]
    [InlineData("SET", "k", StreamCommandKind.Forward)]
    [InlineData("EVALSHA", "abc", StreamCommandKind.Forward)]
    [InlineData("FCALL", "f", StreamCommandKind.Forward)]
    [InlineData("PINGPONGX", "", StreamCommandKind.Forward)]
    public void Commands_are_classified(string name, string arg, StreamCommandKind expected) =>
        Assert.Equal(expected, StreamCommandClassifier.Classify(B(name), B(arg)));

    [Fact]
    public void Select_databases_are_parsed_and_bad_ones_named()
    {
        Assert.Equal(15, StreamCommandClassifier.ParseDb(B("15")));
        var e = Assert.Throws<FormatException>(() => StreamCommandClassifier.ParseDb(B("x1")));
        Assert.Contains("'x1'", e.Message);
    }

    [Fact]
    public void Confirmed_offset_never_passes_unconfirmed_commands_and_skipped_bytes_follow_them()
    {
        var o = new ConfirmedOffset(100);
        o.Sent(120);
        o.Sent(150);
        o.Skipped(164); // a PING after both commands
        Assert.Equal(100, o.Value);
        o.Confirmed(120);
        Assert.Equal(120, o.Value);
        o.Confirmed(150);
        Assert.Equal(164, o.Value);
        o.Skipped(178); // nothing in flight: at once
        Assert.Equal(178, o.Value);
    }

    [Theory]
    [InlineData("+FULLRESYNC abc 42", true, "abc", 42)]
    [InlineData("+CONTINUE", false, "old", 7)]
    [InlineData("+CONTINUE newid", false, "newid", 7)]
    public void Psync_replies_are_understood(string reply, bool full, string id, long offset)
    {
        var parsed = ReplicationClient.ParsePsyncReply(reply, "old", 7, "src")!;
        Assert.Equal((full, id, offset), (parsed.FullResync, parsed.ReplicationId, parsed.Offset));
    }

    [Fact]
    public void Loading_and_nomasterlink_are_retried_other_errors_are_not()
    {
        Assert.Null(ReplicationClient.ParsePsyncReply("-LOADING Redis is loading the dataset in memory", null, -1, "src"));
        Assert.Null(ReplicationClient.ParsePsyncReply("-NOMASTERLINK Can't SYNC while not connected with my master", null, -1, "src"));
        var e = Assert.Throws<IOException>(() => ReplicationClient.ParsePsyncReply("-NOPERM no", null, -1, "src:1"));
        Assert.Contains("src:1 refused PSYNC: NOPERM no", e.Message);
    }

    [Fact]
    public void Transfer_headers_are_parsed()
    {
        Assert.Equal(1234, RdbTransfer.Parse("$1234", "s").Length);
        var mark = new string('a', 40);
        var diskless = RdbTransfer.Parse("$EOF:" + mark, "s");
        Assert.True(diskless.IsDiskless);
        Assert.Equal(Encoding.ASCII.GetBytes(mark), diskless.EndMark);
        Assert.Throws<InvalidDataException>(() => RdbTransfer.Parse("$EOF:short", "s"));
        Assert.Throws<InvalidDataException>(() => RdbTransfer.Parse("hello", "s"));
    }

    [Fact]
    public void The_watcher_sees_the_end_of_a_disk_transfer_across_chunks_and_keep_alives()
    {
        var w = new TransferEndWatcher();
        Assert.False(w.Observe(B("\n\n$1")));
        Assert.False(w.Observe(B("0\r\n12345")));
        Assert.True(w.Observe(B("67890*1\r\n$4\r\nPING\r\n")));
        Assert.True(w.Completed);
    }

    [Fact]
    public void The_watcher_sees_the_diskless_end_mark_split_over_chunks()
    {
        var mark = "0123456789012345678901234567890123456789";
        var w = new TransferEndWatcher();
        Assert.False(w.Observe(B("\n$EOF:" + mark + "\r\nREDIS0010...payload...")));
        Assert.False(w.Observe(B("more" + mark[..15])));
        Assert.True(w.Observe(B(mark[15..])));
    }
}
