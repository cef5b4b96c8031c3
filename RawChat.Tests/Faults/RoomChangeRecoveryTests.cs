using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults;

/// <summary>
/// docs/protocol.md §14.7: PostgreSQL is the truth of rooms and members. A removal made while the other node was cut
/// off from Redis (and so never heard of it) still takes that node's sockets out of the room once Redis is back; a ban
/// holds on a node that starts after it, with nothing cached.
/// </summary>
public sealed class RoomChangeRecoveryTests
{
    [Test]
    public async Task A_removal_missed_during_a_Redis_outage_takes_effect_when_Redis_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = await ChatNode.DefaultSettingsAsync();
        settings["ConnectionStrings:Redis"] = redis.ConnectionString;
        await using var nodeA = await ChatNode.StartAsync(settings);
        await using var nodeB = await ChatNode.StartAsync(settings);
        var (owner, member) = (UniqueUser(), UniqueUser());
        var room = await CreatePrivateRoomAsync(nodeA, owner, member);

        await using var socket = await nodeB.ConnectAsync(TestTokens.For(member, "member"), path: $"/ws/chat/{room}");
        await socket.SendAsync(new { type = "hello", features = new[] { "members" } });
        await socket.ReceiveTypeAsync("hello");

        await redis.StopAsync();
        var removed = await ApiAnswer.SendAsync(nodeA, HttpMethod.Delete, $"/api/rooms/{room}/members/{member}", TestTokens.For(owner));
        Assert.That(removed.Status, Is.EqualTo(HttpStatusCode.NoContent), removed.Text);

        await redis.StartAgainAsync();
        var left = await socket.ReceiveTypeAsync("left", TimeSpan.FromSeconds(60));
        Assert.That(left.GetProperty("room").GetString(), Is.EqualTo(room));
        Assert.That(left.GetProperty("reason").GetString(), Is.EqualTo("removed"));

        await socket.SendAsync(new { type = "send", room, message = "still here?", clientMsgId = "late" });
        var refused = await socket.ReceiveTypeAsync("error");
        Assert.That(refused.GetProperty("code").GetString(), Is.EqualTo("forbidden_room"));
    }

    [Test]
    public async Task A_ban_holds_on_a_node_started_after_it()
    {
        var settings = await ChatNode.DefaultSettingsAsync();
        var (owner, banned) = (UniqueUser(), UniqueUser());
        string room;
        await using (var first = await ChatNode.StartAsync(settings))
        {
            room = Rooms.Unique("banned-open");
            var created = await ApiAnswer.SendAsync(first, HttpMethod.Post, "/api/rooms", TestTokens.For(owner),
                JsonContent.Create(new { kind = "open", name = room }));
            Assert.That(created.Status, Is.EqualTo(HttpStatusCode.Created), created.Text);
            var ban = await ApiAnswer.SendAsync(first, HttpMethod.Post, $"/api/rooms/{room}/bans", TestTokens.For(owner),
                JsonContent.Create(new { userId = banned, reason = "spam" }));
            Assert.That(ban.Status, Is.EqualTo(HttpStatusCode.Created), ban.Text);
        }

        await using var fresh = await ChatNode.StartAsync(settings);
        var (client, status) = await ChatClient.TryConnectAsync(fresh.Chat($"/ws/chat/{room}?token={TestTokens.For(banned)}"));
        await using (client)
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), "the ban is in PostgreSQL, not in a node's memory");
        }

        await using var other = await fresh.ConnectAsync(TestTokens.For(UniqueUser()), path: $"/ws/chat/{room}");
        await other.PostAndAckAsync(room, "the open room works for everyone else", "ok-1");
    }

    private static async Task<string> CreatePrivateRoomAsync(ChatNode node, string owner, string member)
    {
        var created = await ApiAnswer.SendAsync(node, HttpMethod.Post, "/api/rooms", TestTokens.For(owner),
            JsonContent.Create(new { kind = "private" }));
        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.Created), created.Text);
        var room = created.Json.GetProperty("room").GetString()!;
        var added = await ApiAnswer.SendAsync(node, HttpMethod.Post, $"/api/rooms/{room}/members", TestTokens.For(owner),
            JsonContent.Create(new { userId = member }));
        Assert.That(added.Status, Is.EqualTo(HttpStatusCode.Created), added.Text);
        return room;
    }

    private static string UniqueUser() => "u" + Guid.NewGuid().ToString("N")[..12];
}
