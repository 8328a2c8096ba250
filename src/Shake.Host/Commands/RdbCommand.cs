using System.CommandLine;
using System.IO.Pipelines;
using Shake.Host.Commands.Rdb;
using Shake.Rdb;
using Shake.Rdb.Parsing;

namespace Shake.Host.Commands;

/// <summary>
/// <c>shake rdb json|stats|resp FILE</c>: inspect RDB files (<c>-</c> reads standard input). A file that is not a
/// valid RDB makes the command exit with code 1 and the parser's error, with its byte offset, on standard error.
/// </summary>
public static class RdbCommand
{
    /// <summary>Creates the <c>rdb</c> subcommand group.</summary>
    public static Command Create()
    {
        var command = new Command("rdb", "Inspect an RDB file: json, stats or resp.");
        command.Subcommands.Add(CreateJson());
        command.Subcommands.Add(CreateStats());
        command.Subcommands.Add(CreateResp());
        return command;
    }

    private static Argument<string> FileArgument() =>
        new("file") { Description = "Path of the RDB file, or - for standard input." };

    private static Option<bool> ValidateOption() =>
        new("--validate") { Description = "Also decode every value, refusing corrupt compact encodings (slower)." };

    private static Command CreateJson()
    {
        var file = FileArgument();
        var command = new Command("json", "Print one JSON object per key: db, key, type, expire_at_ms, value (byte strings that are not UTF-8 as {\"base64\": ...}).");
        command.Arguments.Add(file);
        command.SetAction((parse, cancellation) =>
            RunAsync(new RdbInvocation(RdbSubcommand.Json, parse.GetValue(file)!, Validate: false, Json: false), cancellation));
        return command;
    }

    private static Command CreateStats()
    {
        var file = FileArgument();
        var asJson = new Option<bool>("--json") { Description = "Print one JSON object (its \"keys\" field is the total number of keys)." };
        var validate = ValidateOption();
        var command = new Command("stats", "Keys and bytes per database and type, the 20 biggest keys, an expiry histogram.");
        command.Arguments.Add(file);
        command.Options.Add(asJson);
        command.Options.Add(validate);
        command.SetAction((parse, cancellation) =>
            RunAsync(new RdbInvocation(RdbSubcommand.Stats, parse.GetValue(file)!, parse.GetValue(validate), parse.GetValue(asJson)), cancellation));
        return command;
    }

    private static Command CreateResp()
    {
        var file = FileArgument();
        var validate = ValidateOption();
        var command = new Command("resp", "Print the commands that would load the file (FUNCTION LOAD, SELECT, RESTORE ... ABSTTL) as RESP.");
        command.Arguments.Add(file);
        command.Options.Add(validate);
        command.SetAction((parse, cancellation) =>
            RunAsync(new RdbInvocation(RdbSubcommand.Resp, parse.GetValue(file)!, parse.GetValue(validate), Json: false), cancellation));
        return command;
    }

    /// <summary>Runs one <c>shake rdb</c> command; returns the exit code (0, or 1 with the error on standard error).</summary>
    public static Task<int> RunAsync(RdbInvocation invocation, CancellationToken cancellation)
    {
        var options = new RdbParserOptions { ValidateValues = invocation.Validate };
        return invocation.Subcommand switch
        {
            RdbSubcommand.Json => RunAsync(invocation.File, async (path, stdout, ct) =>
            {
                using var handler = new JsonLinesHandler(stdout);
                using var parser = new RdbParser<JsonLinesHandler>(handler, options);
                await RdbPipeReader.ParseFileAsync(path, parser, ct, async c => await stdout.FlushAsync(c));
            }, cancellation),
            RdbSubcommand.Stats => RunAsync(invocation.File, async (path, stdout, ct) =>
            {
                var handler = new StatsHandler(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                using var parser = new RdbParser<StatsHandler>(handler, options);
                await RdbPipeReader.ParseFileAsync(path, parser, ct);
                await using var output = stdout.AsStream(leaveOpen: true);
                if (invocation.Json) StatsReport.WriteJson(handler, output);
                else
                {
                    await using var text = new StreamWriter(output, leaveOpen: true);
                    StatsReport.WriteText(handler, text);
                }
            }, cancellation),
            _ => RunAsync(invocation.File, async (path, stdout, ct) =>
            {
                var handler = new RespRestoreHandler(stdout);
                using var parser = new RdbParser<RespRestoreHandler>(handler, options);
                await RdbPipeReader.ParseFileAsync(path, parser, ct, async c => await stdout.FlushAsync(c));
            }, cancellation),
        };
    }

    private static async Task<int> RunAsync(string path, Func<string, PipeWriter, CancellationToken, Task> run, CancellationToken cancellation)
    {
        // Standard output has no real asynchronous writes on Unix; writing in place saves a thread-pool hop per flush.
        await using var stdout = new SynchronousStream(Console.OpenStandardOutput());
        var writer = PipeWriter.Create(stdout, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            await run(path, writer, cancellation);
            await writer.FlushAsync(cancellation);
            return 0;
        }
        catch (RdbFormatException e)
        {
            await writer.FlushAsync(CancellationToken.None);
            Console.Error.WriteLine($"shake rdb: {path}: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"shake rdb: {path}: {e.Message}");
            return 1;
        }
        finally
        {
            await writer.CompleteAsync();
        }
    }
}
