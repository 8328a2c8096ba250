using System.CommandLine;

namespace Shake.Host.Commands;

/// <summary><c>shake rdb json|stats|resp FILE</c>: inspect RDB files.</summary>
public static class RdbCommand
{
    /// <summary>Creates the <c>rdb</c> subcommand group.</summary>
    public static Command Create()
    {
        var command = new Command("rdb", "Inspect an RDB file: json, stats or resp.");
        return command;
    }
}
