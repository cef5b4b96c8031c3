using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>docs/protocol.md §3.4: each connection receives a room's messages in seq order, each once.</summary>
public sealed class OrderingTests
{
    private static readonly Dictionary<string, string?> Unlimited = Limits.Lifted(100_000);

    [Test]
    public async Task Many_clients_on_two_nodes_posting_into_a_few_rooms_are_seen_by_every_receiver_in_seq_order_once()
    {
        const int postersPerNode = 2;
        const int postsEach = 25;
        const int total = postersPerNode * 2 * postsEach;
        await using var nodeA = await ChatNode.StartAsync(Unlimited);
        await using var nodeB = await ChatNode.StartAsync(Unlimited);
        var rooms = Enumerable.Range(0, 3).Select(_ => Rooms.Unique("order")).ToList();
        var clients = new List<ChatClient>();
        var posters = new List<(ChatClient Client, string Room)>();
        var readers = new List<(ChatClient Client, string Room)>();
        var user = 400;
        foreach (var room in rooms)
        {
            foreach (var node in new[] { nodeA, nodeB })
            {
                for (var i = 0; i < postersPerNode; i++)
                {
                    var poster = await node.ConnectAsync(TestTokens.For($"{user++}", "poster"), path: $"/ws/chat/{room}");
                    posters.Add((poster, room));
                }

                for (var i = 0; i < 2; i++)
                {
                    var reader = await node.ConnectAsync(TestTokens.For($"{user++}", "reader"), path: $"/ws/chat/{room}");
                    readers.Add((reader, room));
                }
            }
        }

        clients.AddRange(posters.Select(p => p.Client).Concat(readers.Select(r => r.Client)));
        try
        {
            await Task.WhenAll(posters.Select(p => Task.Run(async () =>
            {
                for (var i = 0; i < postsEach; i++)
                {
                    await p.Client.SendAsync(new { type = "send", message = $"n{i}" });
                }
            })));

            foreach (var (client, room) in readers.Concat(posters))
            {
                var frames = await client.ReceiveUntilAsync(f => f.IsMessage(room, total));
                Assert.That(frames.SeqsOf(room), Is.EqualTo(Enumerable.Range(1, total).Select(i => (long)i)));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Seqs_that_never_arrive_through_Redis_are_read_from_PostgreSQL_and_delivered_in_order()
    {
        // Two nodes on different channel prefixes: B never hears A's publishes, as if Redis dropped them.
        await using var nodeA = await ChatNode.StartAsync(new Dictionary<string, string?>(Unlimited)
        {
            ["Fanout:ChannelPrefix"] = "rawchat:lost:",
        });
        await using var nodeB = await ChatNode.StartAsync(Unlimited);
        var room = Rooms.Unique("gap");
        await using var onA = await nodeA.ConnectAsync(TestTokens.For("450", "a"), path: $"/ws/chat/{room}");
        await using var onB = await nodeB.ConnectAsync(TestTokens.For("451", "b"), path: $"/ws/chat/{room}");

        for (var i = 1; i <= 5; i++)
        {
            await onA.PostAndAckAsync(room, $"lost {i}", $"a{i}");
        }

        await onB.PostAndAckAsync(room, "reveals the gap", "b1");
        var frames = await onB.ReceiveUntilAsync(f => f.IsMessage(room, 6));
        Assert.That(frames.SeqsOf(room), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }));
        await onB.ExpectNothingPendingAsync();
    }
}
