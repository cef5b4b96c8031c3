using System.Net.WebSockets;
using System.Text;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// A client that stops reading fills its bounded outbox and is closed 1013 slow_consumer; the
/// room's other clients go on receiving everything meanwhile.
/// </summary>
public sealed class SlowConsumerTests
{
    [Test]
    public async Task A_client_that_stops_reading_is_closed_slow_consumer_while_the_others_keep_receiving()
    {
        await using var node = await ChatNode.StartAsync(Limits.Lifted(100_000, new()
        {
            ["Chat:MaxQueuedBytes"] = "2097152",
            // Long enough that the stalled client, once it reads again, still gets the close frame.
            ["Chat:CloseTimeoutSeconds"] = "120",
        }));
        var room = Rooms.Unique("slow");
        using var stalled = new ClientWebSocket();
        await stalled.ConnectAsync(node.Chat($"/ws/chat/{room}?token={TestTokens.For("301", "stalled")}"), CancellationToken.None);
        await using var poster = await node.ConnectAsync(TestTokens.For("302", "poster"), path: $"/ws/chat/{room}");
        await using var reader = await node.ConnectAsync(TestTokens.For("303", "reader"), path: $"/ws/chat/{room}");

        // 4,000-character messages fill the kernel's socket buffers, then the 2 MiB outbox.
        const int total = 3000;
        var text = new string('x', 3990);
        var readerDone = Task.Run(() => reader.ReceiveUntilAsync(f => f.IsMessage(room, total)));
        await poster.PostWindowedAsync(room, total, i => $"{i + 1:D6}{text}");

        var received = await readerDone.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.That(received.SeqsOf(room), Is.EqualTo(Enumerable.Range(1, total).Select(i => (long)i)),
            "the reader that keeps up gets every message");

        var (status, reason, framesBeforeClose) = await DrainUntilCloseAsync(stalled);
        TestContext.Out.WriteLine($"the stalled client got {framesBeforeClose} frames before the close");
        Assert.That((int?)status, Is.EqualTo(1013));
        Assert.That(reason, Is.EqualTo("slow_consumer"));
        Assert.That(framesBeforeClose, Is.LessThan(total), "the server stopped feeding it long before the end");

        using var http = node.Http();
        Assert.That(await http.GetStringAsync("/metrics"),
            Does.Contain("rawchat_connections_closed_total{reason=\"slow_consumer\"} 1" + "\n"), "the close shows in the metrics");
    }

    private static async Task<(WebSocketCloseStatus? Status, string? Reason, int Frames)> DrainUntilCloseAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var frames = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription, frames);
            }

            if (result.EndOfMessage)
            {
                frames++;
            }
        }
    }
}
