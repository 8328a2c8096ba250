using System.Diagnostics;
using System.Text;
using Shake.Testing;
using Xunit.Abstractions;

namespace Shake.Host.Tests;

/// <summary>
/// The library packages as a user gets them: Shake.Resp, Shake.Rdb and Shake.Core packed into a local feed folder, the
/// two programs under <c>samples/</c> built against that feed (a NuGet.config beside them adds the folder to the
/// machine's own package sources) and run against real redis-server processes. One test, so the packing and the
/// restores are paid once.
/// </summary>
public sealed class PackageSamplesTests(ITestOutputHelper output)
{
    private static readonly string[] Libraries = ["Shake.Resp", "Shake.Rdb", "Shake.Core"];

    [Fact]
    public async Task PackagesCarryTheirMetadataAndTheSamplesBuildAndRunAgainstThem()
    {
        var root = RepositoryRoot();
        // The test runs from bin/<Configuration>/...: pack what that build produced instead of building again.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        // A version of its own per run: the machine's package cache never serves an older build of the same version.
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        using var dir = new TempDir();
        var feed = Path.Combine(dir.Path, "feed");
        var clock = Stopwatch.StartNew();
        try
        {
            await DotnetAsync(root, "pack", Path.Combine(root, "Shake.Libraries.slnf"), "-c", configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}");
            output.WriteLine($"pack: {clock.Elapsed.TotalSeconds:F1} s");
            foreach (var library in Libraries) CheckPackage(Path.Combine(feed, $"{library}.{version}.nupkg"), library);

            File.WriteAllText(Path.Combine(dir.Path, "NuGet.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="shake-samples-test" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var samples = Path.Combine(dir.Path, "samples");
            CopyDirectory(Path.Combine(root, "samples"), samples);
            var started = clock.Elapsed;
            await DotnetAsync(samples, "build", Path.Combine(samples, "Samples.sln"), "-c", "Release", $"-p:ShakePackageVersion={version}");
            output.WriteLine($"build samples: {(clock.Elapsed - started).TotalSeconds:F1} s");

            await RunRdbTopKeysAsync(Path.Combine(samples, "RdbTopKeys", "bin", "Release", "net10.0", "RdbTopKeys.dll"));
            await RunEmbeddedSyncAsync(Path.Combine(samples, "EmbeddedSync", "bin", "Release", "net10.0", "EmbeddedSync.dll"));
            output.WriteLine($"total: {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            ForgetCachedPackages(version);
        }
    }

    private async Task RunRdbTopKeysAsync(string program)
    {
        await using var source = await RedisServer.StartAsync();
        var commands = new List<string> { "MSET" };
        for (var i = 0; i < 50; i++) commands.AddRange([$"small:{i}", "v"]);
        await source.CliAsync([.. commands]);
        for (var i = 1; i <= 12; i++) await source.CliAsync("SET", $"big:{i:D2}", new string('x', 1000 * i));
        await source.CliAsync("-n", "3", "RPUSH", "list:huge", new string('a', 20_000), new string('b', 20_000));
        await source.CliAsync("SAVE");
        var text = await ProgramAsync(program, Path.Combine(source.Directory, "dump.rdb"));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Header, ten keys, summary.
        Assert.Equal(12, lines.Length);
        Assert.Matches(@"^\d+\s+3\s+list\s+list:huge$", lines[1]);
        string[] expected = ["big:12", "big:11", "big:10", "big:09", "big:08", "big:07", "big:06", "big:05", "big:04"];
        Assert.Equal(expected, lines[2..11].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]));
        Assert.Matches(@"^\d+\s+0\s+string\s+big:12$", lines[2]);
        Assert.StartsWith("63 keys, RDB version", lines[11]);
    }

    private async Task RunEmbeddedSyncAsync(string program)
    {
        await using var source = await RedisServer.StartAsync(["--repl-diskless-sync-delay", "0"]);
        await using var target = await RedisServer.StartAsync();
        await source.CliAsync("MSET", "user:1", "a", "user:2", "b", "session:1", "s", "cache:1", "c");
        await source.CliAsync("HSET", "user:h", "f", "v");
        var text = await ProgramAsync(program, source.Address, target.Address, "--once");
        Assert.Contains("done:", text);
        Assert.Contains("filtered 1 (key 1), redirected 1", text);
        Assert.Equal("user:1\nuser:2\nuser:h", await KeysAsync(target, 0));
        Assert.Equal("cache:1", await KeysAsync(target, 1));
    }

    private static async Task<string> KeysAsync(RedisServer server, int db) =>
        string.Join('\n', (await server.CliAsync("-n", db.ToString(System.Globalization.CultureInfo.InvariantCulture), "KEYS", "*"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));

    private static void CheckPackage(string path, string id)
    {
        using var package = System.IO.Compression.ZipFile.OpenRead(path);
        var names = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains($"lib/net10.0/{id}.dll", names);
        Assert.Contains($"lib/net10.0/{id}.xml", names);
        Assert.Contains("README.md", names);
        Assert.Contains("LICENSE", names);
        using var reader = new StreamReader(package.GetEntry($"{id}.nuspec")!.Open());
        var nuspec = reader.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
        Assert.Contains("<readme>README.md</readme>", nuspec);
        Assert.Contains("<authors>Shake contributors</authors>", nuspec);
        Assert.Matches("<repository type=\"git\"[^>]* commit=\"[0-9a-f]{40}\"", nuspec);
        Assert.Matches("<description>.{40,}</description>", nuspec);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Shake.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Shake.sln above {AppContext.BaseDirectory}");
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
            var destination = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    // The packages of this run were restored into the machine's package cache; remove them so runs do not pile up.
    private static void ForgetCachedPackages(string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var library in Libraries)
        {
            var id = Path.Combine(cache, library.ToLowerInvariant());
            var folder = Path.Combine(id, version);
            try
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                if (Directory.Exists(id) && !Directory.EnumerateFileSystemEntries(id).Any()) Directory.Delete(id);
            }
            catch (IOException)
            {
                // Another run may be using the same package id at this moment.
            }
        }
    }

    private Task DotnetAsync(string workingDirectory, params string[] args) =>
        RunAsync(Dotnet, workingDirectory, TimeSpan.FromMinutes(5), [.. args, "-nodeReuse:false", "--disable-build-servers", "-v:q", "-nologo"]);

    private Task<string> ProgramAsync(string program, params string[] args) =>
        RunAsync(Dotnet, Path.GetDirectoryName(program)!, TimeSpan.FromMinutes(2), [program, .. args]);

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private async Task<string> RunAsync(string file, string workingDirectory, TimeSpan timeout, string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', args)} did not finish within {timeout}");
        }
        var text = await stdout + await stderr;
        output.WriteLine($"$ {Path.GetFileName(file)} {string.Join(' ', args)}\n{text}");
        Assert.True(process.ExitCode == 0, $"{string.Join(' ', args)} exited {process.ExitCode}: {text}");
        return text;
    }
}
