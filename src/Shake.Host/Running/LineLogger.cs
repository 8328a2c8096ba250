using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Shake.Host.Running;

/// <summary>
/// Writes one line per message — <c>2026-01-02 15:04:05.000 INF message</c> — to standard output and the log file,
/// from <see cref="MinimumLevel"/> up (<c>log_level</c>). Thread-safe; each line is written whole.
/// </summary>
public sealed class LineLogger : ILogger, IDisposable
{
    private readonly TextWriter _console;
    private readonly string? _filePath;
    private StreamWriter? _file;
    private readonly Lock _gate = new();
    private readonly bool _statusLinesOnConsole;

    // The message template of the engines' periodic status line.
    private const string StatusTemplate = "{Status}";

    /// <summary>
    /// Logs to <paramref name="console"/> and, when given, appends to <paramref name="filePath"/>. Without
    /// <paramref name="statusLinesOnConsole"/> the periodic status lines go to the file only (a live view shows them).
    /// </summary>
    public LineLogger(TextWriter console, string? filePath, LogLevel minimumLevel, bool statusLinesOnConsole = true)
    {
        _console = console;
        _statusLinesOnConsole = statusLinesOnConsole;
        MinimumLevel = minimumLevel;
        if (filePath is not null)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(filePath));
            if (directory is not null) Directory.CreateDirectory(directory);
            _filePath = filePath;
            _file = new StreamWriter(new FileStream(filePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
    }

    /// <summary>Messages below this level are dropped.</summary>
    public LogLevel MinimumLevel { get; }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= MinimumLevel && logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var level = logLevel switch
        {
            LogLevel.Trace or LogLevel.Debug => "DBG",
            LogLevel.Information => "INF",
            LogLevel.Warning => "WRN",
            _ => "ERR",
        };
        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} {level} {formatter(state, exception)}");
        var toConsole = _statusLinesOnConsole || !IsStatusLine(state);
        lock (_gate)
        {
            if (toConsole)
            {
                _console.WriteLine(line);
                _console.Flush();
            }
            try
            {
                _file?.WriteLine(line);
            }
            catch (IOException e)
            {
                // A full disk under dir must not turn every log call into a failure of the code that logs.
                _console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} ERR the log file {_filePath} could not be written ({e.Message}); logging to standard output only"));
                _console.Flush();
                try { _file?.Dispose(); } catch (IOException) { }
                _file = null;
            }
        }
    }

    private static bool IsStatusLine<TState>(TState state) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> { Count: > 0 } values
        && values[^1] is { Key: "{OriginalFormat}", Value: StatusTemplate };

    /// <summary>Closes the log file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            try { _file?.Dispose(); } catch (IOException) { }
        }
    }
}
