namespace Shake.Host.Commands.Rdb;

/// <summary>
/// What one <c>shake rdb</c> command line asks for: the subcommand, the file and its flags. <see cref="Validate"/>
/// (deep validation of every value) is on unless <c>--no-validate</c> was given.
/// </summary>
/// <remarks>
/// <c>shake rdb</c> is run on files of any size, often in scripts and loops, where System.CommandLine's own start-up
/// (loading its parser and invocation pipeline, about 10 ms) is a tenth of a whole run on a small file. So the plain
/// forms (<c>rdb json|stats|resp [--validate | --no-validate] [--json] FILE</c>) are recognised here and run directly; anything else
/// (help, <c>--</c>, response files, unknown or misplaced options, a missing file) is left to System.CommandLine, which
/// owns the error messages. Both paths run the same <see cref="RdbCommand.RunAsync(RdbInvocation, CancellationToken)"/>.
/// </remarks>
public sealed record RdbInvocation(RdbSubcommand Subcommand, string File, bool Validate, bool Json)
{
    /// <summary>Recognises a plain <c>rdb</c> command line; false leaves it to the full parser.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out RdbInvocation? invocation)
    {
        invocation = null;
        if (args.Count < 3 || args[0] != "rdb") return false;
        RdbSubcommand subcommand;
        switch (args[1])
        {
            case "json": subcommand = RdbSubcommand.Json; break;
            case "stats": subcommand = RdbSubcommand.Stats; break;
            case "resp": subcommand = RdbSubcommand.Resp; break;
            default: return false;
        }
        string? file = null;
        bool validate = true, json = false, validationFlag = false;
        for (var i = 2; i < args.Count; i++)
        {
            var token = args[i];
            if (token is "--validate" or "--no-validate" && !validationFlag)
            {
                validationFlag = true;
                validate = token == "--validate";
            }
            else if (token == "--json" && subcommand == RdbSubcommand.Stats && !json) json = true;
            else if (file is null && (token == "-" || (token.Length > 0 && token[0] != '-' && token[0] != '@'))) file = token;
            else return false;
        }
        if (file is null) return false;
        invocation = new RdbInvocation(subcommand, file, validate, json);
        return true;
    }
}

/// <summary>The <c>shake rdb</c> subcommands.</summary>
public enum RdbSubcommand
{
    /// <summary>One JSON object per key.</summary>
    Json,

    /// <summary>Counts, sizes, biggest keys, expiry histogram.</summary>
    Stats,

    /// <summary>The RESTORE commands as RESP.</summary>
    Resp,
}
