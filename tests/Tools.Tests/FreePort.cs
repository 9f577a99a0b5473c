using System.Net;
using System.Net.Sockets;

namespace Tools.Tests;

internal static class FreePort
{
    /// <summary>A loopback TCP port nothing listens on (it was free a moment ago).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
