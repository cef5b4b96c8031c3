using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RawChat.Tests.Support;

/// <summary>
/// HTTP/1.1 over a bare socket, for what HttpClient and ClientWebSocket will not do: send a request
/// target exactly as written (<c>/%6Detrics</c>, <c>//metrics</c>, <c>/ws/../metrics</c>) and reset a
/// connection with a TCP RST instead of closing it.
/// </summary>
public static class RawHttp
{
    /// <summary>The status code of <c>GET <paramref name="target"/></c>, the target sent byte for byte.</summary>
    public static async Task<int> StatusOfGetAsync(Uri server, string target)
    {
        using var socket = await ConnectAsync(server);
        return await SendAndReadStatusAsync(socket, $"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n");
    }

    /// <summary>A WebSocket upgrade of <paramref name="target"/>; returns the socket once the answer was 101.</summary>
    public static async Task<Socket> OpenWebSocketAsync(Uri server, string target)
    {
        var socket = await ConnectAsync(server);
        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var status = await SendAndReadStatusAsync(socket, $"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\n"
            + $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
        if (status != (int)HttpStatusCode.SwitchingProtocols)
        {
            socket.Dispose();
            throw new InvalidOperationException($"GET {server.Authority}{target.Split('?')[0]}: answered {status}, not 101");
        }

        return socket;
    }

    /// <summary>Closes with linger 0: the kernel sends a TCP RST, as for a process killed with unread data.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }

    private static async Task<Socket> ConnectAsync(Uri server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(ChatClient.DefaultTimeout);
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request and reads up to the end of the response head (the body, if any, is left unread).</summary>
    private static async Task<int> SendAndReadStatusAsync(Socket socket, string request)
    {
        using var timeout = new CancellationTokenSource(ChatClient.DefaultTimeout);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0)
            {
                throw new InvalidOperationException($"the connection closed before the response head ended: {head}");
            }

            head.Append((char)buffer[0]);
        }

        // "HTTP/1.1 404 Not Found"
        return int.Parse(head.ToString().Split(' ', 3)[1], CultureInfo.InvariantCulture);
    }
}
