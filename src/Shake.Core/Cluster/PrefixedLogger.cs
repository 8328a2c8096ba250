using Microsoft.Extensions.Logging;

namespace Shake.Core.Cluster;

/// <summary>Writes through another logger with a fixed prefix, so the lines of several engines in one process can be told apart.</summary>
internal sealed class PrefixedLogger(ILogger inner, string prefix) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel, eventId, state, exception, (s, e) => prefix + formatter(s, e));
}
