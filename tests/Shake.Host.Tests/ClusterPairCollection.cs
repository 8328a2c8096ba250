using Shake.Testing;

namespace Shake.Host.Tests;

/// <summary>The tests sharing one pair of clusters (run one after another).</summary>
[CollectionDefinition("cluster pair")]
public sealed class ClusterPairCollection : ICollectionFixture<ClusterPairFixture>;
