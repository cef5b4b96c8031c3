using NUnit.Framework;
using RawChat.Tests.Support;
using StackExchange.Redis;

namespace RawChat.Tests.EndToEnd;

/// <summary>docs/protocol.md §3.2: two nodes sharing PostgreSQL and Redis serve one chat.</summary>
public sealed class TwoNodeTests() : TwoNodeFixture(Limits.Lifted(1000))
{
    private ConnectionMultiplexer _redis = null!;

    [OneTimeSetUp]
    public async Task ConnectRedisAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis.ConnectionString);

    [OneTimeTearDown]
    public async Task DisconnectRedisAsync() => await _redis.DisposeAsync();

    [Test]
    public async Task Message_posted_on_one_node_reaches_the_room_on_the_other_and_no_other_room()
    {
        var room = Rooms.Unique("shared");
        var elsewhere = Rooms.Unique("elsewhere");
        await using var alice = await A.ConnectAsync(TestTokens.For("21", "alice"), path: $"/ws/chat/{room}");
        await using var bob = await B.ConnectAsync(TestTokens.For("22", "bob"), path: $"/ws/chat/{room}");
        await using var carol = await B.ConnectAsync(TestTokens.For("23", "carol"), path: $"/ws/chat/{elsewhere}");

        await alice.SendTextAsync("""{"message": "across nodes"}""");

        var received = await bob.ReceiveTypeAsync("message");
        Assert.That(received.GetProperty("message").GetString(), Is.EqualTo("across nodes"));
        Assert.That(received.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That((await alice.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(1));
        await carol.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Concurrent_posts_on_both_nodes_reach_every_client_once_in_seq_order()
    {
        const int perPoster = 40;
        var room = Rooms.Unique("busy");
        var posters = new[]
        {
            await A.ConnectAsync(TestTokens.For("31", "p1"), path: $"/ws/chat/{room}"),
            await B.ConnectAsync(TestTokens.For("32", "p2"), path: $"/ws/chat/{room}"),
        };
        var readers = new[]
        {
            await A.ConnectAsync(TestTokens.For("33", "r1"), path: $"/ws/chat/{room}"),
            await B.ConnectAsync(TestTokens.For("34", "r2"), path: $"/ws/chat/{room}"),
        };
        try
        {
            await Task.WhenAll(posters.Select((poster, p) => Task.Run(async () =>
            {
                for (var i = 0; i < perPoster; i++)
                {
                    await poster.SendAsync(new { type = "send", message = $"p{p}-{i}" });
                }
            })));

            const int total = perPoster * 2;
            foreach (var reader in readers)
            {
                var frames = await reader.ReceiveUntilAsync(f => f.IsMessage(room, total));
                Assert.That(frames.SeqsOf(room), Is.EqualTo(Enumerable.Range(1, total).Select(i => (long)i)));
            }
        }
        finally
        {
            foreach (var client in posters.Concat(readers))
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_node_subscribes_to_a_room_while_it_holds_a_connection_there_and_unsubscribes_after_the_last_leaves()
    {
        var room = Rooms.Unique("subs");
        var channel = RedisChannel.Literal("rawchat:room:" + room);
        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        Task Subscribers(long expected, string why) =>
            Eventually.ThatAsync(() => server.SubscriptionSubscriberCountAsync(channel), Is.EqualTo(expected), $"subscribers: {why}");

        var first = await A.ConnectAsync(TestTokens.For("41", "first"), path: $"/ws/chat/{room}");
        var second = await A.ConnectAsync(TestTokens.For("42", "second"));
        await second.SendAsync(new { type = "join", room });
        await second.ReceiveTypeAsync("joined");
        await second.ReceiveTypeAsync("history");
        await Subscribers(1, "one subscription for the node, however many sockets it holds");

        await first.DisposeAsync();
        await second.ExpectNothingPendingAsync();
        await Subscribers(1, "still held by the second connection");

        await second.SendAsync(new { type = "leave", room });
        await second.ReceiveTypeAsync("left");
        await Subscribers(0, "the last connection left, so the node unsubscribed");
        await second.DisposeAsync();
    }
}
