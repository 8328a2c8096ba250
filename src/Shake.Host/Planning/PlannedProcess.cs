namespace Shake.Host.Planning;

/// <summary>One <c>shake</c> process of a plan: its place among the others, its configuration and the source shards it serves.</summary>
/// <param name="Index">Position among the plan's processes, from 0.</param>
/// <param name="Count">How many processes the plan has.</param>
/// <param name="ConfigText">The process's configuration file (the user's file with the source as a cluster and <c>shards = "Index/Count"</c>).</param>
/// <param name="Shards">The source shards it serves: lowest slot and master address.</param>
public sealed record PlannedProcess(int Index, int Count, string ConfigText, IReadOnlyList<(int Shard, string Master)> Shards)
{
    /// <summary>The <c>[advanced] shards</c> value of this process.</summary>
    public string Selection => $"{Index}/{Count}";
}
