namespace Shake.Core.Configuration;

/// <summary>Module data options (<c>[module]</c>).</summary>
/// <param name="TargetMbbloomVersion">RedisBloom version on the target (<c>20603</c> for v2.6.3), which fixes the BF.LOADCHUNK format.</param>
public sealed record ModuleOptions(int TargetMbbloomVersion = 20603);
