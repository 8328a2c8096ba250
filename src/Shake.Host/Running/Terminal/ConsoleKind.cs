namespace Shake.Host.Running.Terminal;

/// <summary>Whether the run's output is a terminal a person watches (live view) or a pipe, file or log collector (plain lines).</summary>
public static class ConsoleKind
{
    /// <summary>
    /// True when <paramref name="output"/> is the process's standard output, that is not redirected, and the terminal
    /// can move the cursor (<c>TERM</c> set and not <c>dumb</c>). Containers without <c>-t</c>, CI, pipes and files get
    /// plain lines.
    /// </summary>
    public static bool IsInteractiveTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out)
        && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term
        && term != "dumb";
}
