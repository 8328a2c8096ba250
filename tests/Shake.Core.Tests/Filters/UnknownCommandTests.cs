using Microsoft.Extensions.Logging;
using Shake.Core.Configuration;
using Shake.Core.Filters;
using Shake.Core.Tests.Commands;

namespace Shake.Core.Tests.Filters;

public sealed class UnknownCommandTests
{
    private sealed class RecordingLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }

    [Fact]
    public void UnknownCommandsAreReportedOnceAndFilteredByTheirFirstArgument()
    {
        var logger = new RecordingLogger();
        using var pipeline = new FilterPipeline([new ListFilter(new FilterOptions { AllowKeyPrefix = ["a:"] })], logger);
        Assert.True(pipeline.TryPassCommand(Args.Of("tair.hset", "a:1", "f", "v"), 0, out _));
        Assert.False(pipeline.TryPassCommand(Args.Of("TAIR.HSET", "b:1", "f", "v"), 0, out _));
        Assert.True(pipeline.TryPassCommand(Args.Of("SET", "a:2", "v"), 0, out _));
        var message = Assert.Single(logger.Messages);
        Assert.Contains("TAIR.HSET is not in Shake's command table", message);
    }
}
