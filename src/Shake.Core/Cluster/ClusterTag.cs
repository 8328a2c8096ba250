namespace Shake.Core.Cluster;

/// <summary>
/// The tag of a request on a shared node connection: which engine's writer sent it and its sequence number there
/// (negative for requests whose reply nobody needs, such as <c>ASKING</c>).
/// </summary>
internal readonly record struct ClusterTag(ClusterWriter Writer, long Sequence);
