using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// After a node dies its clients come back at once, each with since. The node takes them all
/// (within its limits), replays each one's gap, and live posts keep being stored meanwhile.
/// </summary>
public sealed class ReconnectStormTests
{
    private const int Clients = 5000;
    private const int InFlight = 500;

    [Test]
    public async Task Five_thousand_clients_reconnecting_at_once_with_since_are_all_served_while_live_posts_go_on()
    {
        await using var node = await ChatNode.StartAsync(Limits.Lifted(100_000));
        var rooms = Enumerable.Range(0, 50).Select(_ => Rooms.Unique("storm")).ToArray();
        foreach (var room in rooms)
        {
            await using var seeder = await node.ConnectAsync(TestTokens.For("600", "seeder"), path: $"/ws/chat/{room}");
            for (var i = 1; i <= 10; i++)
            {
                await seeder.PostAndAckAsync(room, $"before {i}", $"s{i}");
            }
        }

        // A live poster keeps posting through the storm; it must keep being acked.
        await using var live = await node.ConnectAsync(TestTokens.For("601", "live"), path: $"/ws/chat/{rooms[0]}");
        using var stormOver = new CancellationTokenSource();
        var liveAcks = 0;
        var posting = Task.Run(async () =>
        {
            for (var i = 0; !stormOver.IsCancellationRequested; i++)
            {
                await live.PostAndAckAsync(rooms[0], $"live {i}", $"live-{i}");
                liveAcks++;
            }
        });

        var clients = new ConcurrentBag<ChatClient>();
        var failures = new ConcurrentBag<string>();
        using var gate = new SemaphoreSlim(InFlight);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var room = rooms[i % rooms.Length];
                clients.Add(await node.ConnectAsync(TestTokens.For($"{10_000 + i}", $"c{i}"), "&since=5", $"/ws/chat/{room}"));
            }
            catch (Exception e)
            {
                failures.Add(e.Message);
            }
            finally
            {
                gate.Release();
            }
        }));
        var connectSeconds = clock.Elapsed.TotalSeconds;

        try
        {
            Assert.That(failures, Is.Empty, "every connect within the node's limits is accepted");
            Assert.That(clients, Has.Count.EqualTo(Clients));
            var acksAtConnectEnd = liveAcks;
            // Every client gets its room's seqs 6..10 first (the replay), in order.
            await Task.WhenAll(clients.Select(async client =>
            {
                for (var seq = 6; seq <= 10; seq++)
                {
                    var frame = await client.ReceiveTypeAsync("message", TimeSpan.FromSeconds(120));
                    Assert.That(frame.GetProperty("seq").GetInt64(), Is.EqualTo(seq));
                }
            }));
            TestContext.Out.WriteLine($"{Clients} connects in {connectSeconds:F1} s; {acksAtConnectEnd} live posts acked meanwhile");
            Assert.That(acksAtConnectEnd, Is.GreaterThan(0), "live posts were stored and acked during the storm");
        }
        finally
        {
            await stormOver.CancelAsync();
            await posting;
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
