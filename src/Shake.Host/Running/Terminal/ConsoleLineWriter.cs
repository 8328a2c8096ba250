using System.Text;
using Spectre.Console;

namespace Shake.Host.Running.Terminal;

/// <summary>
/// A <see cref="TextWriter"/> whose lines go through a Spectre console, so log lines printed while the live view runs
/// appear above it instead of tearing it. Text is written as is (never read as markup).
/// </summary>
internal sealed class ConsoleLineWriter(IAnsiConsole console) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value)
    {
        lock (_gate) Append(value);
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        if (value is null) return;
        lock (_gate)
        {
            foreach (var c in value) Append(c);
        }
    }

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            _line.Append(value);
            Emit();
        }
    }

    private void Append(char value)
    {
        if (value == '\n') Emit();
        else if (value != '\r') _line.Append(value);
    }

    private void Emit()
    {
        console.Write(new Text(_line.ToString() + "\n"));
        _line.Clear();
    }
}
