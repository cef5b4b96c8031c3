using System.Net.WebSockets;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>The real process on SIGTERM: stops accepting and closes every socket with 1001 going_away.</summary>
public sealed class ProcessShutdownTests
{
    [Test]
    public async Task Sigterm_closes_open_sockets_with_going_away_and_the_process_exits_cleanly()
    {
        await using var api = ApiProcess.Start(await ApiProcess.DefaultEnvironmentAsync());
        await api.WaitUntilReadyAsync();
        var room = Rooms.Unique("sigterm");
        var clients = new List<ChatClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await ChatClient.ConnectAsync(new Uri(api.WsBase, $"/ws/chat/{room}?token={TestTokens.For($"6{i}", $"u{i}")}")));
        }

        await clients[0].SendTextAsync("""{"message": "before shutdown"}""");
        foreach (var client in clients)
        {
            await client.ReceiveTypeAsync("message");
        }

        api.Signal("TERM");

        foreach (var client in clients)
        {
            var (status, reason) = await client.WaitForCloseAsync();
            Assert.That(status, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
            Assert.That(reason, Is.EqualTo("going_away"));
            await client.DisposeAsync();
        }

        Assert.That(await api.WaitForExitAsync(), Is.EqualTo(0), api.Output);
    }
}
