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
            var file = parse.GetValue(config);
            if (file is null)
            {
                Console.Error.WriteLine("shake: no configuration file given; usage: shake <config.toml> [filter.lua] (see shake --help)");
                return Task.FromResult(2);
            }
            Console.Error.WriteLine("shake: sync is not implemented yet");
            return Task.FromResult(3);
        });
    }
}
