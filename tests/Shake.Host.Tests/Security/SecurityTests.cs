using Shake.Host.Commands;
using Shake.Host.Tests.Faults;
using Shake.Testing;

namespace Shake.Host.Tests.Security;

/// <summary>
/// Shake with the smallest ACL users it needs on both sides (see the root README, "Security"): a full sync and the
/// stream work with exactly those rules, and no password shows up in anything Shake prints — logs (debug level), the
/// log file, error messages, exit messages, <c>validate</c> output.
/// </summary>
[Collection("faults")]
public sealed class SecurityTests
{
    // Distinctive strings: any appearance in output is a leak, not a coincidence.
    private const string AdminPassword = "Adm1n-pw-never-printed";
    private const string SourcePassword = "S0urce-pw-never-printed";
    private const string TargetPassword = "T4rget-pw-never-printed";
    private const string WrongPassword = "Wr0ng-pw-never-printed";

    /// <summary>The rules the README documents: exactly these on the source...</summary>
    public const string SourceRules = "+psync +replconf +ping +info";

    /// <summary>...and these on the target.</summary>
    public const string TargetRules = "~* +@write +select +ping +info +multi +exec +hgetall +command";

    private static readonly string[] Secrets = [AdminPassword, SourcePassword, TargetPassword, WrongPassword];

    private static async Task<RedisServer> StartWithUserAsync(string user, string password, string rules)
    {
        var server = await RedisServer.StartAsync();
        await server.CliAsync("ACL", "SETUSER", "admin", "on", ">" + AdminPassword, "~*", "&*", "+@all");
        await server.CliAsync(["ACL", "SETUSER", user, "on", ">" + password, .. rules.Split(' ')]);
        // From here on nobody gets in without a password.
        await server.CliAsync("ACL", "SETUSER", "default", "off");
        return server;
    }

    private static Task<string> AdminCliAsync(RedisServer server, params string[] args) =>
        server.CliAsync(["--user", "admin", "--pass", AdminPassword, "--no-auth-warning", .. args]);

    private static string Config(RedisServer source, RedisServer target, string dir, string sourcePassword = SourcePassword, string extraReader = "", string advanced = "") => $"""
        [sync_reader]
        address = "{source.Address}"
        username = "shake-source"
        password = "{sourcePassword}"
        {extraReader}
        [redis_writer]
        address = "{target.Address}"
        username = "shake-target"
        password = "{TargetPassword}"
        [advanced]
        dir = "{dir}"
        log_level = "debug"
        log_interval = 1
        rdb_restore_command_behavior = "rewrite"
        empty_db_before_sync = true
        {advanced}
        """;

    /// <summary>
    /// Fails naming the secret and where it appeared (the status and metrics documents are passed through here too).
    /// </summary>
    internal static void AssertNoSecrets(params (string Where, string Text)[] texts)
    {
        foreach (var (where, text) in texts)
            foreach (var secret in Secrets)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{where} shows the password '{secret}':\n{text}");
    }

    private static string ReadLogFile(string dir)
    {
        var path = Path.Combine(dir, "shake.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    [Fact]
    public async Task MinimalAclUsersCarryAFullSyncAndTheStreamAndNoPasswordIsPrinted()
    {
        await using var source = await StartWithUserAsync("shake-source", SourcePassword, SourceRules);
        await using var target = await StartWithUserAsync("shake-target", TargetPassword, TargetRules);
        await TestDataWriter.PopulateAsync(source.Address, 20, password: AdminPassword, username: "admin");
        await AdminCliAsync(source, "FUNCTION", "LOAD", "#!lua name=shakelib\nredis.register_function('shake_set', function(keys, args) return redis.call('SET', keys[1], args[1]) end)");
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "data");
        var statusPort = FreePort.Next();
        var config = dir.Write("sync.toml", Config(source, target, data, advanced: $"status_port = {statusPort}"));

        await using var shake = ShakeProcess.Start(config);
        await shake.WaitForAsync("full sync done", TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{statusPort}/") };
        var status = new List<(string, string)>();
        await using (var load = await WriteLoad.StartAsync(source.Address, 500, password: AdminPassword, username: "admin"))
        {
            await Task.Delay(1500);
            await AdminCliAsync(source, "FCALL", "shake_set", "1", "fn:key", "v");
            await AdminCliAsync(source, "EVAL", "redis.call('SET', KEYS[1], ARGV[1])", "1", "eval:key", "v");
            foreach (var path in new[] { "", "metrics", "debug/runtime" })
                status.Add(($"GET /{path}", await http.GetStringAsync(path)));
            await load.PauseAsync();
            await AdminCliAsync(source, "SET", "marker", "1");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await AdminCliAsync(target, "EXISTS", "marker")).Trim() != "1")
            {
                Assert.True(DateTime.UtcNow < deadline, shake.AllText);
                await Task.Delay(50);
            }
            Assert.Null(load.FirstError);
        }
        var comparison = await RedisDataComparer.CompareAsync(
            RedisDataSide.Standalone(source.Address, AdminPassword, "admin"), RedisDataSide.Standalone(target.Address, AdminPassword, "admin"), TimeSpan.FromSeconds(5));
        Assert.True(comparison.Differences.Count == 0, string.Join("; ", comparison.Differences.Take(5)) + "\n" + shake.AllText);
        Assert.Equal(0, await shake.TerminateAsync(TimeSpan.FromSeconds(30)));
        // The only refusal: the opposite-direction guard, which these source rules do not let read the checkpoints (a warning).
        Assert.All(shake.AllText.Split('\n').Where(l => l.Contains("NOPERM", StringComparison.Ordinal)),
            l => Assert.Contains("could not check", l));
        Assert.Contains("could not check", shake.AllText);

        AssertNoSecrets([("standard output", shake.Output), ("standard error", shake.Error), ("the log file", ReadLogFile(data)), .. status]);
        Assert.Contains(status, s => s.Item1 == "GET /metrics" && s.Item2.Contains("shake_keys_applied_total", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PasswordsAreAbsentFromErrorsAndValidateOutput()
    {
        await using var source = await StartWithUserAsync("shake-source", SourcePassword, SourceRules);
        // A target user without +select: the refusal must name the command, not the password.
        await using var target = await StartWithUserAsync("shake-target", TargetPassword, "~* +@write +ping +info +hgetall +command");
        await AdminCliAsync(source, "SELECT", "3");
        await source.CliAsync("--user", "admin", "--pass", AdminPassword, "--no-auth-warning", "-n", "3", "SET", "k", "v");
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "data");
        var good = dir.Write("good.toml", Config(source, target, data, advanced: ""));
        var wrong = dir.Write("wrong.toml", Config(source, target, data, WrongPassword, extraReader: "sync_aof = false"));
        var noSelect = dir.Write("noselect.toml", Config(source, target, data, extraReader: "sync_aof = false"));
        var texts = new List<(string, string)>();

        var offline = await ShakeRunner.RunAsync("validate", "--offline", good);
        Assert.Equal(ExitCodes.Success, offline.Code);
        texts.Add(("validate --offline", offline.Output + offline.Error));
        var online = await ShakeRunner.RunAsync("validate", good);
        texts.Add(("validate", online.Output + online.Error));
        var online2 = await ShakeRunner.RunAsync("validate", wrong);
        Assert.NotEqual(ExitCodes.Success, online2.Code);
        texts.Add(("validate with a wrong password", online2.Output + online2.Error));

        var refused = await ShakeRunner.RunAsync(wrong);
        Assert.Equal(ExitCodes.Failed, refused.Code);
        Assert.Contains("WRONGPASS", refused.Error);
        texts.Add(("a run with a wrong password", refused.Output + refused.Error));

        var denied = await ShakeRunner.RunAsync(noSelect);
        Assert.Equal(ExitCodes.Failed, denied.Code);
        Assert.Contains("NOPERM", denied.Error + denied.Output);
        texts.Add(("a run the target's ACL refuses", denied.Output + denied.Error));
        texts.Add(("the log file", ReadLogFile(data)));
        AssertNoSecrets([.. texts]);
    }
}
