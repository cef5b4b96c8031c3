using Dapper;
using Npgsql;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>The Django Channels tutorial's client, exactly as its page does it, works unchanged.</summary>
public sealed class TutorialClientTests : NodeFixture
{
    [Test]
    public async Task Tutorial_client_posts_and_every_client_in_the_room_receives_it_and_it_is_stored()
    {
        var room = Rooms.Unique("tutorial");
        // new WebSocket("ws://host/ws/chat/" + room + "/?token=" + jwt), as the tutorial's page builds it
        await using var alice = await ChatClient.ConnectAsync(
            Node.Chat($"/ws/chat/{room}/?token={TestTokens.For("1", "alice")}"));
        await using var bob = await ChatClient.ConnectAsync(
            Node.Chat($"/ws/chat/{room}/?token={TestTokens.For("2", "bob")}"));

        await alice.SendTextAsync("""{"message": "hi bob"}""");

        foreach (var client in new[] { alice, bob })
        {
            var frame = await client.ReceiveAsync();
            Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("message"));
            Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("alice"));
            Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo("hi bob"));
            Assert.That(frame.GetProperty("timestamp").GetString(),
                Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"));
            Assert.That(frame.TryGetProperty("clientMsgId", out _), Is.False);
        }

        await using var db = new NpgsqlConnection(await SharedDatabase.GetAsync());
        var stored = (await db.QueryAsync<(string UserId, string Username, string Content, long Seq)>(
            "SELECT user_id, username, content, seq FROM messages WHERE room = @room", new { room })).ToList();
        Assert.That(stored, Is.EqualTo(new[] { ("1", "alice", "hi bob", 1L) }));
    }

    [Test]
    public async Task Tutorial_client_sees_nothing_unasked_but_message_frames()
    {
        var room = Rooms.Unique("quiet");
        await using var client = await Node.ConnectAsync(TestTokens.For("3", "carol"), path: $"/ws/chat/{room}/");

        // Nothing arrives at connect: the first frame after a ping is its pong.
        await client.ExpectNothingPendingAsync();
        await client.SendTextAsync("""{"message": "only me"}""");
        var frame = await client.ReceiveAsync();
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("message"));
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Connecting_without_a_room_joins_the_lobby()
    {
        await using var client = await Node.ConnectAsync(TestTokens.For("4", "dave"));
        await client.SendTextAsync("""{"message": "in the lobby"}""");
        var frame = await client.ReceiveAsync();
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo("lobby"));
    }
}
