using System.CommandLine;

namespace Shake.Host.Commands;

/// <summary><c>shake validate [--offline] config.toml</c>: print the effective configuration and check connectivity.</summary>
public static class ValidateCommand
{
    /// <summary>Creates the <c>validate</c> subcommand.</summary>
    public static Command Create()
    {
        var command = new Command("validate", "Print the effective configuration (secrets redacted) and check that source and target answer.");
        var config = new Argument<FileInfo>("config") { Description = "Path to sync.toml." };
        var offline = new Option<bool>("--offline") { Description = "Parse and check only; do not connect." };
        command.Arguments.Add(config);
        command.Options.Add(offline);
        command.SetAction((parse, cancellation) =>
        {
            Console.Error.WriteLine("shake validate: not implemented yet");
            return Task.FromResult(3);
        });
        return command;
    }
}
