namespace Shake.Core.Cluster;

/// <summary>The cluster layout could not be read, or a node's answer could not be understood. The message names the addresses.</summary>
public sealed class ClusterTopologyException : Exception
{
    /// <summary>Creates the exception for the given addresses.</summary>
    public ClusterTopologyException(string message, IReadOnlyList<string> addresses, Exception? inner = null)
        : base(message, inner)
    {
        Addresses = addresses;
    }

    /// <summary>The addresses that were asked.</summary>
    public IReadOnlyList<string> Addresses { get; }
}
