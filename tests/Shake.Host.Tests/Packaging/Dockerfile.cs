using System.Text.Json;

namespace Shake.Host.Tests.Packaging;

/// <summary>The instructions of docker/Dockerfile (continuation lines joined, comments dropped), for tests that check what the image runs.</summary>
internal sealed class Dockerfile(IReadOnlyList<(string Instruction, string Arguments)> instructions)
{
    /// <summary>Every instruction in order, upper-case, with its arguments.</summary>
    public IReadOnlyList<(string Instruction, string Arguments)> Instructions { get; } = instructions;

    /// <summary>Reads docker/Dockerfile of the repository.</summary>
    public static Dockerfile Load() => Parse(File.ReadAllText(RepositoryPaths.Of("docker", "Dockerfile")));

    /// <summary>Parses Dockerfile text.</summary>
    public static Dockerfile Parse(string text)
    {
        var result = new List<(string, string)>();
        var pending = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (pending.Length == 0 && line.TrimStart().StartsWith('#')) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var whole = (pending + line).Trim();
            pending = "";
            if (whole.Length == 0) continue;
            var space = whole.IndexOf(' ');
            result.Add(space < 0 ? (whole.ToUpperInvariant(), "") : (whole[..space].ToUpperInvariant(), whole[(space + 1)..].Trim()));
        }
        return new Dockerfile(result);
    }

    /// <summary>The arguments of every instruction named <paramref name="instruction"/> in the final stage (after the last FROM).</summary>
    public IReadOnlyList<string> InFinalStage(string instruction)
    {
        var lastFrom = Instructions.Select((item, i) => (item, i)).Last(x => x.item.Instruction == "FROM").i;
        return [.. Instructions.Skip(lastFrom).Where(x => x.Instruction == instruction).Select(x => x.Arguments)];
    }

    /// <summary>An exec-form (JSON array) argument list such as ENTRYPOINT's.</summary>
    public static string[] ExecForm(string arguments) => JsonSerializer.Deserialize<string[]>(arguments)
        ?? throw new FormatException($"not an exec-form list: {arguments}");

    /// <summary>The variables the final stage's ENV instructions set (NAME=value pairs, quotes removed).</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var variables = new Dictionary<string, string>();
        foreach (var env in InFinalStage("ENV"))
        {
            foreach (var pair in env.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq > 0) variables[pair[..eq]] = pair[(eq + 1)..].Trim('"');
            }
        }
        return variables;
    }
}
