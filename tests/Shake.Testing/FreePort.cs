using System.Net;
using System.Net.Sockets;

namespace Shake.Testing;

/// <summary>Hands out loopback TCP ports that are free now and not handed out before in this process.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Handed = [];
    private static readonly Lock Gate = new();

    /// <summary>A free port on 127.0.0.1. Cluster nodes also need port+10000 free, so both are checked.</summary>
    public static int Next(bool withClusterBus = false)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (withClusterBus && (port + 10000 > 65535 || !IsFree(port + 10000))) continue;
            lock (Gate)
            {
                if (Handed.Add(port) && (!withClusterBus || Handed.Add(port + 10000))) return port;
            }
        }
        throw new InvalidOperationException("no free loopback port found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
