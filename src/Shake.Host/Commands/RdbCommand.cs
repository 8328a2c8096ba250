using System.CommandLine;
using System.IO.Pipelines;
using Shake.Host.Commands.Rdb;
using Shake.Rdb;
using Shake.Rdb.Parsing;
using Shake.Rdb.Validation;

namespace Shake.Host.Commands;

/// <summary>
/// <c>shake rdb json|stats|resp FILE</c>: inspect RDB files (<c>-</c> reads standard input). Every value is
/// deep-validated before it is reported (<c>--no-validate</c> skips that), so nothing built from a corrupt value is
/// printed as if it were sound: values are validated on the spare cores while the file is read, and what was made of
/// a batch of the file is written out once all its values were found sound (the statistics once the whole file was).
/// A file that is not a valid RDB makes the command exit with code 1 and the error (for a corrupt value: the key, its
/// type and the byte offset) on standard error.
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
        new("--validate") { Description = "Deep-validate every value (the default; kept for older scripts)." };

    private static Option<bool> NoValidateOption() =>
        new("--no-validate") { Description = "Skip the deep validation of values (only for files known to be sound)." };

    private static void AddValidationOptions(Command command, out Option<bool> validate, out Option<bool> noValidate)
    {
        validate = ValidateOption();
        noValidate = NoValidateOption();
        command.Options.Add(validate);
        command.Options.Add(noValidate);
        var (v, n) = (validate, noValidate);
        command.Validators.Add(result =>
        {
            if (result.GetValue(v) && result.GetValue(n)) result.AddError("--validate and --no-validate exclude each other");
        });
    }

    private static Command CreateJson()
    {
        var file = FileArgument();
        var command = new Command("json", "Print one JSON object per key: db, key, type, expire_at_ms, value (byte strings that are not UTF-8 as {\"base64\": ...}).");
        command.Arguments.Add(file);
        AddValidationOptions(command, out _, out var noValidate);
        command.SetAction((parse, cancellation) =>
            RunAsync(new RdbInvocation(RdbSubcommand.Json, parse.GetValue(file)!, !parse.GetValue(noValidate), Json: false), cancellation));
        return command;
    }

    private static Command CreateStats()
    {
        var file = FileArgument();
        var asJson = new Option<bool>("--json") { Description = "Print one JSON object (its \"keys\" field is the total number of keys)." };
        var command = new Command("stats", "Keys and bytes per database and type, the 20 biggest keys, an expiry histogram.");
        command.Arguments.Add(file);
        command.Options.Add(asJson);
        AddValidationOptions(command, out _, out var noValidate);
        command.SetAction((parse, cancellation) =>
            RunAsync(new RdbInvocation(RdbSubcommand.Stats, parse.GetValue(file)!, !parse.GetValue(noValidate), parse.GetValue(asJson)), cancellation));
        return command;
    }

    private static Command CreateResp()
    {
        var file = FileArgument();
        var command = new Command("resp", "Print the commands that would load the file (FUNCTION LOAD, SELECT, RESTORE ... ABSTTL) as RESP.");
        command.Arguments.Add(file);
        AddValidationOptions(command, out _, out var noValidate);
        command.SetAction((parse, cancellation) =>
            RunAsync(new RdbInvocation(RdbSubcommand.Resp, parse.GetValue(file)!, !parse.GetValue(noValidate), Json: false), cancellation));
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
                if (invocation.Validate)
                {
                    var staged = new StagedOutput(stdout);
                    using var validating = new JsonLinesHandler(staged.Buffer);
                    await RdbFileValidator.ValidateAsync(path, validating, ct, staged.ReleaseAsync);
                    return;
                }
                using var handler = new JsonLinesHandler(stdout);
                using var parser = new RdbParser<JsonLinesHandler>(handler, options);
                await RdbPipeReader.ParseFileAsync(path, parser, ct, async c => await stdout.FlushAsync(c));
            }, cancellation),
            RdbSubcommand.Stats => RunAsync(invocation.File, async (path, stdout, ct) =>
            {
                var handler = new StatsHandler(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                // The report is written once the whole file was read: the validation pass may check values on the
                // spare cores while the handler counts them.
                if (invocation.Validate) await RdbFileValidator.ValidateAsync(path, handler, ct);
                else
                {
                    using var parser = new RdbParser<StatsHandler>(handler, options);
                    await RdbPipeReader.ParseFileAsync(path, parser, ct);
                }
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
                if (invocation.Validate)
                {
                    var staged = new StagedOutput(stdout);
                    await RdbFileValidator.ValidateAsync(path, new RespRestoreHandler(staged.Buffer), ct, staged.ReleaseAsync);
                    return;
                }
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
