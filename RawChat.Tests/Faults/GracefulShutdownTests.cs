using System.Net.WebSockets;
using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// SIGTERM while a client is mid-stream: the message being stored finishes and is acked, later
/// frames are not taken, then the socket closes 1001. Acked and stored are the same set.
/// </summary>
public sealed class GracefulShutdownTests
{
    [Test]
    public async Task Sigterm_mid_stream_acks_exactly_the_messages_it_stored_then_closes_going_away()
    {
        var environment = await ApiProcess.DefaultEnvironmentAsync();
        Limits.LiftIn(environment, 100_000);
        await using var api = ApiProcess.Start(environment);
        await api.WaitUntilReadyAsync();
        var room = Rooms.Unique("drain");
        await using var client = await ChatClient.ConnectAsync(
            new Uri(api.WsBase, $"/ws/chat/{room}?token={TestTokens.For("91", "streamer")}"));

        var acked = new HashSet<string>();
        var enoughAcks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            while (true)
            {
                string text;
                try
                {
                    text = await client.ReceiveTextAsync(TimeSpan.FromSeconds(60));
                }
                catch (InvalidOperationException)
                {
                    return; // closed
                }

                using var frame = System.Text.Json.JsonDocument.Parse(text);
                if (frame.RootElement.GetProperty("type").GetString() == "ack")
                {
                    acked.Add(frame.RootElement.GetProperty("clientMsgId").GetString()!);
                    if (acked.Count == 50)
                    {
                        enoughAcks.TrySetResult();
                    }
                }
            }
        });

        var sent = 0;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 5000 && client.Socket.State == WebSocketState.Open; i++)
            {
                try
                {
                    await client.SendAsync(new { type = "send", message = $"m{i}", clientMsgId = $"c{i}" });
                    sent++;
                }
                catch (WebSocketException)
                {
                    return;
                }
            }
        });

        await enoughAcks.Task.WaitAsync(TimeSpan.FromSeconds(60));
        api.Signal("TERM");
        var (status, reason) = await client.WaitForCloseAsync(TimeSpan.FromSeconds(60));
        await reading.WaitAsync(TimeSpan.FromSeconds(60));
        await sending.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(await api.WaitForExitAsync(), Is.EqualTo(0), api.Output);

        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        Assert.That(reason, Is.EqualTo("going_away"));
        await using var db = new NpgsqlConnection(await SharedDatabase.GetAsync());
        var stored = (await db.QueryAsync<string>(
            "SELECT client_msg_id FROM messages WHERE room = @room", new { room })).ToHashSet();
        Assert.That(acked, Has.Count.GreaterThanOrEqualTo(50));
        Assert.That(stored, Is.EquivalentTo(acked), $"sent {sent}: every stored message was acked and every ack is stored");
    }
}
