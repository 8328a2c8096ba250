using Microsoft.Extensions.Logging.Abstractions;
using Shake.Core.Commands;
using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Core.Tests.Commands;

namespace Shake.Core.Tests.Filters;

public sealed class ListFilterTests
{
    private static FilterPipeline Pipeline(FilterOptions options) => new([new ListFilter(options)], NullLogger.Instance);

    private static bool Command(FilterPipeline pipeline, int db, params string[] words) => pipeline.TryPassCommand(Args.Of(words), db, out _);

    private static bool Entry(FilterPipeline pipeline, int db, string key, CommandGroup group = CommandGroup.String) =>
        pipeline.TryPassEntry(db, System.Text.Encoding.UTF8.GetBytes(key), group, out _);

    [Fact]
    public void EmptyListsPassEverything()
    {
        Assert.False(ListFilter.IsConfigured(new FilterOptions()));
        var pipeline = Pipeline(new FilterOptions());
        Assert.True(Command(pipeline, 5, "SET", "any", "v"));
        Assert.True(Entry(pipeline, 9, "any"));
        Assert.Equal(0, pipeline.Statistics.DroppedTotal);
    }

    [Fact]
    public void AllowPrefixOrSuffixPassesAndBlockWins()
    {
        var pipeline = Pipeline(new FilterOptions
        {
            AllowKeyPrefix = ["user:", "product:"],
            AllowKeySuffix = [":active"],
            BlockKeyPrefix = ["user:tmp"],
            BlockKeySuffix = [":old"],
        });
        Assert.True(Entry(pipeline, 0, "user:1"));
        Assert.True(Entry(pipeline, 0, "session:9:active"));
        Assert.False(Entry(pipeline, 0, "session:9"));
        Assert.False(Entry(pipeline, 0, "user:tmp:3"));
        Assert.False(Entry(pipeline, 0, "product:7:old"));
        Assert.True(Command(pipeline, 0, "SET", "product:1", "v"));
        Assert.False(Command(pipeline, 0, "SET", "other", "v"));
        Assert.Equal(4, pipeline.Statistics.Dropped(FilterReason.Key));
    }

    [Fact]
    public void KeysSplitOverSegmentsMatchLikeContiguousOnes()
    {
        var pipeline = Pipeline(new FilterOptions { AllowKeyPrefix = ["user:"], BlockKeySuffix = [":old"] });
        Assert.True(pipeline.TryPassCommand(Args.Fragmented("SET", "user:1", "v"), 0, out _));
        Assert.False(pipeline.TryPassCommand(Args.Fragmented("SET", "user:1:old", "v"), 0, out _));
        Assert.False(pipeline.TryPassCommand(Args.Fragmented("SET", "us", "v"), 0, out _));
    }

    [Fact]
    public void MultiKeyCommandsPassOnlyWhenEveryKeyDoes()
    {
        var pipeline = Pipeline(new FilterOptions { AllowKeyPrefix = ["a:"] });
        Assert.True(Command(pipeline, 0, "MSET", "a:1", "x", "a:2", "y"));
        Assert.False(Command(pipeline, 0, "MSET", "b:1", "x", "b:2", "y"));
        Assert.False(Command(pipeline, 0, "MSET", "a:1", "x", "b:2", "y"));
        Assert.False(Command(pipeline, 0, "RENAME", "a:1", "b:1"));
        Assert.Equal(1, pipeline.Statistics.Dropped(FilterReason.Key));
        Assert.Equal(2, pipeline.Statistics.Dropped(FilterReason.MixedKeys));
    }

    [Fact]
    public void KeylessCommandsPassKeyLists()
    {
        var pipeline = Pipeline(new FilterOptions { AllowKeyPrefix = ["a:"] });
        Assert.True(Command(pipeline, 0, "FLUSHDB"));
        Assert.True(Command(pipeline, 0, "SCRIPT", "LOAD", "return 1"));
        Assert.True(Command(pipeline, 0, "EVAL", "return 1", "0"));
        Assert.False(Command(pipeline, 0, "EVAL", "return 1", "1", "b:1"));
    }

    [Fact]
    public void DatabasesAllowedAndBlocked()
    {
        var pipeline = Pipeline(new FilterOptions { AllowDb = [0, 1, 2], BlockDb = [2] });
        Assert.True(Entry(pipeline, 0, "k"));
        Assert.True(Command(pipeline, 1, "SET", "k", "v"));
        Assert.False(Entry(pipeline, 2, "k"));
        Assert.False(Command(pipeline, 3, "SET", "k", "v"));
        Assert.Equal(2, pipeline.Statistics.Dropped(FilterReason.Db));
    }

    [Fact]
    public void CommandListsApplyToReplicatedCommandsOnly()
    {
        var pipeline = Pipeline(new FilterOptions { AllowCommand = ["SET", "del"], BlockCommand = ["DEL"] });
        Assert.True(Command(pipeline, 0, "set", "k", "v"));
        Assert.False(Command(pipeline, 0, "DEL", "k"));
        Assert.False(Command(pipeline, 0, "HSET", "h", "f", "v"));
        // RDB entries are data, not commands: the command lists let them through.
        Assert.True(Entry(pipeline, 0, "h", CommandGroup.Hash));
        Assert.Equal(2, pipeline.Statistics.Dropped(FilterReason.Command));
    }

    [Fact]
    public void GroupListsApplyToCommandsAndToEntriesByType()
    {
        var pipeline = Pipeline(new FilterOptions { BlockCommandGroup = ["HASH", "SCRIPTING"] });
        Assert.False(Command(pipeline, 0, "HSET", "h", "f", "v"));
        Assert.False(Command(pipeline, 0, "EVALSHA", "abc", "0"));
        Assert.True(Command(pipeline, 0, "SET", "k", "v"));
        Assert.False(Entry(pipeline, 0, "h", CommandGroup.Hash));
        Assert.True(Entry(pipeline, 0, "l", CommandGroup.List));

        var allow = Pipeline(new FilterOptions { AllowCommandGroup = ["STRING", "GENERIC"] });
        Assert.True(Command(allow, 0, "SET", "k", "v"));
        Assert.True(Command(allow, 0, "EXPIRE", "k", "10"));
        Assert.False(Command(allow, 0, "LPUSH", "l", "1"));
        Assert.False(Command(allow, 0, "TAIR.HSET", "h", "f", "v"));
        Assert.True(Entry(allow, 0, "s", CommandGroup.String));
        Assert.False(Entry(allow, 0, "z", CommandGroup.SortedSet));
        Assert.Equal(3, allow.Statistics.Dropped(FilterReason.CommandGroup));
    }

    [Fact]
    public void TairGroupsAreAcceptedAndUnknownGroupsRefused()
    {
        _ = new ListFilter(new FilterOptions { BlockCommandGroup = ["TAIRHASH"] });
        var error = Assert.Throws<ArgumentException>(() => new ListFilter(new FilterOptions { AllowCommandGroup = ["STRINGS"] }));
        Assert.Contains("allow_command_group", error.Message);
        Assert.Contains("STRINGS", error.Message);
    }

    [Fact]
    public void StatisticsDescribeDropsByReason()
    {
        var pipeline = Pipeline(new FilterOptions { BlockDb = [1], BlockKeyPrefix = ["tmp:"] });
        Command(pipeline, 1, "SET", "k", "v");
        Command(pipeline, 0, "SET", "tmp:1", "v");
        Command(pipeline, 0, "SET", "tmp:2", "v");
        Command(pipeline, 0, "SET", "k", "v");
        Assert.Equal("filtered 3 (db 1, key 2)", pipeline.Statistics.Describe());
        Assert.Equal(1, pipeline.Statistics.PassedCommands);
    }
}
