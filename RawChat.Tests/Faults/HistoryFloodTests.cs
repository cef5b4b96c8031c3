using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// Memory per connection is bounded in bytes. A client that asks for the largest history pages
/// there are (200 messages of 4,000 emoji: 3 MiB each as text) and never reads costs the node its
/// bounded outbox, not gigabytes: its pages are cut at the page budget and made only as fast as
/// its socket drains, so it is throttled (or closed as a slow consumer), and another user in the
/// same room keeps receiving in real time.
/// </summary>
public sealed class HistoryFloodTests
{
    private const int SeededMessages = 400;
    private static readonly TimeSpan Flood = TimeSpan.FromSeconds(20);

    [Test]
    public async Task A_client_that_floods_history_requests_and_never_reads_is_throttled_in_bounded_memory_while_others_chat_on()
    {
        var environment = await ApiProcess.DefaultEnvironmentAsync();
        // The frame budget would stop the flood long before memory does: lift it, to show the byte bounds alone.
        environment["Chat__FramesPerSecond"] = "100000";
        environment["Chat__FrameBurst"] = "100000";
        await using var api = ApiProcess.Start(environment);
        await api.WaitUntilReadyAsync();
        var room = Rooms.Unique("flood");
        await SeedAsync(room);
        Uri Url(string user) => new(api.WsBase, $"/ws/chat/{room}?token={TestTokens.For(user, "u" + user)}");

        await using var poster = await ChatClient.ConnectAsync(Url("1501"));
        await using var reader = await ChatClient.ConnectAsync(Url("1502"));
        // Warm up: the reader pages through the room once, as an ordinary client.
        for (var i = 0; i < 3; i++)
        {
            await reader.SendAsync(new { type = "history", room, limit = 200 });
            await reader.ReceiveTypeAsync("history");
        }

        var baseline = ProcessMemory.RssMiB(api.Id);
        var peak = baseline;
        using var flooder = new ClientWebSocket();
        await flooder.ConnectAsync(Url("1503"), CancellationToken.None);
        var request = Encoding.UTF8.GetBytes($$"""{"type":"history","room":"{{room}}","limit":200}""");
        var clock = Stopwatch.StartNew();
        var (sent, blocked) = (0, false);
        var flooding = Task.Run(async () =>
        {
            while (clock.Elapsed < Flood && flooder.State == WebSocketState.Open)
            {
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await flooder.SendAsync(request, WebSocketMessageType.Text, true, patience.Token);
                    sent++;
                }
                catch (OperationCanceledException)
                {
                    blocked = true; // the node stopped reading it: throttled
                    return;
                }
                catch (WebSocketException)
                {
                    return; // closed
                }
            }
        });

        // Meanwhile the other two chat, and every message must arrive promptly.
        var latencies = new List<double>();
        var n = 0;
        while (clock.Elapsed < Flood)
        {
            var sentAt = Stopwatch.GetTimestamp();
            await poster.SendTextAsync($$"""{"type":"send","message":"live {{n}}","clientMsgId":"live-{{n}}"}""");
            var frames = await reader.ReceiveUntilAsync(f => f.GetProperty("type").GetString() == "message"
                && f.GetProperty("message").GetString() == $"live {n}");
            latencies.Add(Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
            peak = Math.Max(peak, ProcessMemory.RssMiB(api.Id));
            n++;
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            await pace.WaitForNextTickAsync();
        }

        await flooding.WaitAsync(TimeSpan.FromSeconds(30));
        peak = Math.Max(peak, ProcessMemory.RssMiB(api.Id));
        var flooderState = flooder.State;
        latencies.Sort();
        var p95 = latencies[(int)Math.Ceiling(latencies.Count * 0.95) - 1];
        TestContext.Out.WriteLine($"flooder sent {sent} requests ({(blocked ? "then blocked" : flooderState.ToString())}); "
            + $"RSS {baseline:F0} -> peak {peak:F0} MiB; {n} live messages, p95 {p95:F0} ms, slowest {latencies[^1]:F0} ms");
        Assert.That(peak - baseline, Is.LessThan(64), "the node's memory stays bounded (MiB)");
        Assert.That(blocked || flooderState != WebSocketState.Open, Is.True, "the flooder is throttled or closed");
        Assert.That(p95, Is.LessThan(1000), "the other user receives in real time (ms)");
        Assert.That(latencies[^1], Is.LessThan(3000), "not one message is held up for long (ms)");
        flooder.Abort();
    }

    private static Task SeedAsync(string room) =>
        StoredMessages.SeedAsync(room, SeededMessages, "1500", string.Concat(Enumerable.Repeat("😀", 4000)));
}
