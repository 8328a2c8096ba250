using Shake.Core.Configuration;

namespace Shake.Core.Verification.Keyspace;

/// <summary>Opens the keyspace of a configured side: a <see cref="ClusterKeyspace"/> when it is configured as a cluster, else a <see cref="StandaloneKeyspace"/>.</summary>
public static class KeyspaceFactory
{
    /// <summary>Connects to the side described by <paramref name="instance"/>.</summary>
    public static async Task<IKeyspace> OpenAsync(RedisInstanceOptions instance, bool serverDigest, CancellationToken cancellation) =>
        instance.Cluster
            ? await ClusterKeyspace.OpenAsync(instance.ToConnectionOptions(), serverDigest, cancellation)
            : await StandaloneKeyspace.OpenAsync(instance.ToConnectionOptions(), serverDigest, cancellation);
}
