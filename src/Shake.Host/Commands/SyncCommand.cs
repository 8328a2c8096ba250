using System.CommandLine;

namespace Shake.Host.Commands;

/// <summary>The default action: <c>shake config.toml [filter.lua]</c>, the redis-shake calling convention.</summary>
public static class SyncCommand
{
    /// <summary>Adds the config and filter arguments and the run action to the root command.</summary>
    public static void Attach(RootCommand root)
    {
        var config = new Argument<FileInfo?>("config") { Description = "Path to sync.toml (redis-shake v3 or v4 format).", Arity = ArgumentArity.ZeroOrOne };
        var filter = new Argument<FileInfo?>("filter") { Description = "Optional Lua filter script (redis-shake v3 contract).", Arity = ArgumentArity.ZeroOrOne };
        root.Arguments.Add(config);
        root.Arguments.Add(filter);
        root.SetAction((parse, cancellation) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetValue(config);
            if (file is null)
            {
                error.WriteLine("shake: no configuration file given; usage: shake <config.toml> [filter.lua] (see shake --help)");
                return Task.FromResult(ExitCodes.ConfigError);
            }
            // The configuration is loaded and checked first, so errors are reported even before the engine exists.
            var loaded = ConfigConsole.TryLoad(file, error);
            if (loaded is null) return Task.FromResult(ExitCodes.ConfigError);
            var script = parse.GetValue(filter);
            if (script is not null && !script.Exists)
            {
                error.WriteLine($"shake: filter script {script} does not exist");
                return Task.FromResult(ExitCodes.ConfigError);
            }
            var run = loaded.Config with { Filter = loaded.Config.Filter with { LuaScriptPath = script?.FullName } };
            error.WriteLine($"shake: {file.Name} is valid ({run.DescribeOrigin()}), but {run.Reader.Mode} is not implemented yet; nothing was copied");
            return Task.FromResult(ExitCodes.NotImplemented);
        });
    }
}
