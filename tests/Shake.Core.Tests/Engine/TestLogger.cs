using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Shake.Core.Tests.Engine;

/// <summary>Logs to the test output and keeps every line for assertions.</summary>
public sealed class TestLogger(ITestOutputHelper output) : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        Lines.Enqueue((logLevel, message));
        try { output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {message}"); } catch (InvalidOperationException) { }
    }
}
