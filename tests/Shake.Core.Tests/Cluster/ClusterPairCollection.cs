using Shake.Testing;

namespace Shake.Core.Tests.Cluster;

/// <summary>The tests sharing one pair of 3-master/3-replica clusters; they run one after another.</summary>
[CollectionDefinition("cluster pair")]
public sealed class ClusterPairCollection : ICollectionFixture<ClusterPairFixture>;
