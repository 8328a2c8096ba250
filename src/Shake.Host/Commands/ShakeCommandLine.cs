using System.CommandLine;

namespace Shake.Host.Commands;

/// <summary>Builds the <c>shake</c> command tree: <c>shake config.toml [filter.lua]</c> plus subcommands.</summary>
public static class ShakeCommandLine
{
    /// <summary>Creates the root command with every subcommand attached.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Shake: Redis replication (sync, restore, scan) driven by a redis-shake compatible sync.toml.");
        SyncCommand.Attach(root);
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(RdbCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        foreach (var option in root.Options.OfType<VersionOption>()) option.Action = new VersionAction();
        return root;
    }
}
