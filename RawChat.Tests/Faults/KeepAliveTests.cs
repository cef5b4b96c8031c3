using System.Net.WebSockets;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>Protocol-level keep-alive: the server pings every connection and drops a peer that stops answering.</summary>
public sealed class KeepAliveTests
{
    private static readonly Dictionary<string, string?> OneSecondKeepAlive = new()
    {
        ["Chat:KeepAliveSeconds"] = "1",
        ["Chat:MaxConnectionsPerUser"] = "1",
    };

    [Test]
    public async Task A_peer_that_never_answers_pings_is_dropped_and_its_place_given_back()
    {
        await using var node = await ChatNode.StartAsync(OneSecondKeepAlive);
        var token = TestTokens.For("501", "ghost");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // It completes the upgrade, reads what comes and never sends a pong.
        await using var ghost = await RawWebSocket.ConnectAsync(node.Chat($"/ws/chat?token={token}"), timeout.Token, answerPings: false);
        // With a 1 s interval and a 1 s pong timeout the drop comes within seconds; 30 s leaves room for a loaded machine.
        var dropped = await Task.WhenAny(ghost.Ended, Task.Delay(TimeSpan.FromSeconds(30), timeout.Token)) == ghost.Ended;

        Assert.That(ghost.Pings, Is.GreaterThan(0), "the server pinged the silent peer");
        Assert.That(dropped, Is.True, $"the server still holds the silent peer after 30 s and {ghost.Pings} pings");
        // The user's only connection slot is given back (just after the TCP close): a new one is accepted.
        await Eventually.ThatAsync(async () =>
        {
            try
            {
                await using var again = await node.ConnectAsync(token);
                return "accepted";
            }
            catch (WebSocketException e)
            {
                return e.Message; // 503 over_capacity while the old connection is still being released
            }
        }, Is.EqualTo("accepted"), "a new connection of the same user");
    }

    [Test]
    public async Task A_peer_that_answers_pings_stays_connected_past_several_intervals_and_can_still_post()
    {
        await using var node = await ChatNode.StartAsync(OneSecondKeepAlive);
        var room = Rooms.Unique("pinged");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var peer = await RawWebSocket.ConnectAsync(node.Chat($"/ws/chat/{room}?token={TestTokens.For("502", "awake")}"), timeout.Token);

        await Eventually.ThatAsync(() => peer.Pings, Is.GreaterThanOrEqualTo(3), "pings the answering peer got", TimeSpan.FromSeconds(30));
        await peer.SendAsync(RawFrame.Text("""{"message": "still here"}"""u8.ToArray()), timeout.Token);
        string frame;
        do
        {
            frame = await peer.Texts.ReadAsync(timeout.Token);
        }
        while (!frame.Contains("\"still here\"", StringComparison.Ordinal));

        Assert.That(peer.Ended.IsCompleted, Is.False, "the server keeps a peer that answers its pings");
        using var message = JsonDocument.Parse(frame);
        Assert.That(message.RootElement.GetProperty("type").GetString(), Is.EqualTo("message"), "its post came back as a message");
    }
}
