using System.Diagnostics;
using System.Net.WebSockets;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// A flood of cheap frames (typing, presence, join) from twenty sockets, reconnecting as soon as
/// they are closed, costs another user nothing they notice: every frame counts toward the frame
/// budget, the flooders are refused and closed, and no client's code runs on the writer's thread.
/// The flood is the one that raised another user's ack p99 to 679 ms before: 175,000 frames in 10 s
/// (the load generator shares the node's two cores, so it is paced rather than unbounded).
/// </summary>
public sealed class FrameFloodTests
{
    private const int Flooders = 20;
    private const int FramesPerTick = 90; // per flooder every 100 ms: 900 frames/s each, 18,000/s in all
    private static readonly TimeSpan Flood = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Twenty_sockets_flooding_typing_presence_and_join_frames_leave_another_users_ack_p99_under_500_ms()
    {
        await using var node = await ChatNode.StartAsync();
        var room = Rooms.Unique("flood");
        await using var victim = await node.ConnectAsync(TestTokens.For("1801", "victim"), path: $"/ws/chat/{room}");
        var frames = new[]
        {
            $$"""{"type":"typing","room":"{{room}}"}""",
            $$"""{"type":"presence","room":"{{room}}","subscribe":true}""",
            $$"""{"type":"join","room":"{{room}}"}""",
        };

        using var stop = new CancellationTokenSource(Flood);
        var sent = 0L;
        var connects = 0L;
        var flooding = Enumerable.Range(0, Flooders).Select(i => Task.Run(async () =>
        {
            var token = TestTokens.For($"{1810 + i}", $"flooder{i}");
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref connects);
                using var socket = new ClientWebSocket();
                try
                {
                    await socket.ConnectAsync(node.Chat($"/ws/chat/{room}?token={token}"), stop.Token);
                    _ = DrainAsync(socket); // a flooder that reads, so it is throttled by its budget, not by TCP
                    using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
                    for (var n = 0; !stop.IsCancellationRequested && socket.State == WebSocketState.Open; n++)
                    {
                        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(frames[n % frames.Length]),
                            WebSocketMessageType.Text, true, stop.Token);
                        Interlocked.Increment(ref sent);
                        if (n % FramesPerTick == FramesPerTick - 1)
                        {
                            await pace.WaitForNextTickAsync(stop.Token);
                        }
                    }
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                    // Closed by the node (policy_violation) or the flood is over: connect again, or stop.
                }
            }
        })).ToList();

        var latencies = new List<double>();
        var refusals = new List<string>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < Flood; i++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await victim.PostAndAckAsync(room, $"through the flood {i}", $"v-{i}");
            }
            catch (InvalidOperationException e)
            {
                refusals.Add(e.Message);
            }

            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            await pace.WaitForNextTickAsync();
        }

        await Task.WhenAll(flooding);
        latencies.Sort();
        var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
        TestContext.Out.WriteLine($"{sent} flood frames over {connects} connections; {latencies.Count} posts, "
            + $"ack p50 {latencies[latencies.Count / 2]:F0} ms, p99 {p99:F0} ms");
        Assert.That(sent, Is.GreaterThan(100_000), "it was a flood");
        Assert.That(connects, Is.GreaterThan(Flooders), "the flooders were closed (1008) and had to come back");
        Assert.That(refusals, Is.Empty, "the other user's posts are all stored");
        Assert.That(p99, Is.LessThan(500), "the other user's ack p99 (ms)");
    }

    private static async Task DrainAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Gone.
        }
    }
}
