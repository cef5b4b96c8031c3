using System.Net.Sockets;
using System.Text;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>Protocol-level keep-alive: a peer that stops answering pings is dropped.</summary>
public sealed class KeepAliveTests
{
    [Test]
    public async Task A_peer_that_never_answers_pings_is_dropped_and_its_place_given_back()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:KeepAliveSeconds"] = "1",
            ["Chat:MaxConnectionsPerUser"] = "1",
        });
        var token = TestTokens.For("501", "ghost");

        // A bare TCP peer: it completes the upgrade, reads what comes, and never sends a pong.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", node.HttpBase.Port);
        var stream = tcp.GetStream();
        var request = $"GET /ws/chat?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n" +
            "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        var buffer = new byte[4096];
        var first = await stream.ReadAsync(buffer);
        Assert.That(Encoding.ASCII.GetString(buffer, 0, first), Does.StartWith("HTTP/1.1 101"));

        // Read (and ignore) pings until the server gives up on us and ends the connection.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var dropped = false;
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }

            dropped = true;
        }
        catch (IOException)
        {
            dropped = true; // reset by the server
        }

        Assert.That(dropped, Is.True);
        // The user's only connection slot is given back (just after the TCP close): a new one is accepted.
        Assert.That(await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await using var again = await node.ConnectAsync(token);
                return true;
            }
            catch (System.Net.WebSockets.WebSocketException)
            {
                return false; // 503 over_capacity while the old connection is still being released
            }
        }), Is.True);
    }
}
