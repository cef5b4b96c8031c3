using System.Net;
using System.Net.Sockets;

namespace RawChat.Tests.Infrastructure;

/// <summary>Hands out loopback TCP ports that nothing listens on right now.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
