using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// docs/protocol.md §3.4 and the design's "Redis is the fast path": with Redis stopped for real, posts are
/// still stored, acked and delivered on their own node; when it returns, every node catches up
/// from PostgreSQL, in order, none twice.
/// </summary>
public sealed class RedisOutageTests
{
    [Test]
    public async Task Posting_survives_a_Redis_outage_and_every_node_catches_up_in_order_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = Limits.Lifted(1000, new()
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
        });
        await using var nodeA = await ChatNode.StartAsync(settings);
        await using var nodeB = await ChatNode.StartAsync(settings);
        var room = Rooms.Unique("outage");
        await using var poster = await nodeA.ConnectAsync(TestTokens.For("71", "poster"), path: $"/ws/chat/{room}");
        await using var localReader = await nodeA.ConnectAsync(TestTokens.For("72", "local"), path: $"/ws/chat/{room}");
        await using var remoteReader = await nodeB.ConnectAsync(TestTokens.For("73", "remote"), path: $"/ws/chat/{room}");

        await poster.PostAndAckAsync(room, "before", "c1");
        Assert.That((await remoteReader.ReceiveTypeAsync("message")).GetProperty("seq").GetInt64(), Is.EqualTo(1));

        await redis.StopAsync();
        for (var i = 2; i <= 10; i++)
        {
            var ack = await poster.PostAndAckAsync(room, $"during {i}", $"c{i}");
            Assert.That(ack.GetProperty("seq").GetInt64(), Is.EqualTo(i), "stored and acked while Redis is down");
        }

        var local = await localReader.ReceiveUntilAsync(f => f.IsMessage(room, 10));
        Assert.That(local.SeqsOf(room), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)),
            "the posting node still delivers to its own sockets");

        await redis.StartAgainAsync();
        var remote = await remoteReader.ReceiveUntilAsync(f => f.IsMessage(room, 10));
        Assert.That(remote.SeqsOf(room), Is.EqualTo(Enumerable.Range(2, 9).Select(i => (long)i)),
            "the other node catches up from PostgreSQL, in order");

        // Fan-out through Redis works again, in both directions, and nothing arrives twice.
        await remoteReader.PostAndAckAsync(room, "after, from B", "b1");
        foreach (var client in new[] { poster, localReader })
        {
            var frames = await client.ReceiveUntilAsync(f => f.IsMessage(room, 11));
            Assert.That(frames.SeqsOf(room).Where(s => s > 10), Is.EqualTo(new long[] { 11 }));
        }

        await localReader.ExpectNothingPendingAsync();
        var remoteRest = await remoteReader.ReceiveUntilAsync(f => f.IsMessage(room, 11));
        Assert.That(remoteRest.SeqsOf(room), Is.EqualTo(new long[] { 11 }));
        await remoteReader.ExpectNothingPendingAsync();
    }
}
