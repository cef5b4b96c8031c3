using System.Net;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.RoomsWithMembers.RoomFrames;
using static RawChat.Tests.RoomsWithMembers.RoomsApi;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>
/// With <c>Rooms:ImplicitOpenRooms</c> off (docs/protocol.md §14.1), a name nobody created is
/// <c>forbidden_room</c> at connect, on join, on history and through the messages API, on both
/// nodes, while a room created open works for everyone as before.
/// </summary>
public sealed class ImplicitRoomsOffTests() : TwoNodeFixture(Settings)
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Rooms:ImplicitOpenRooms"] = "false" };

    [Test]
    public async Task Uncreated_name_is_refused_forbidden_room_at_connect_on_join_on_history_and_by_the_messages_api()
    {
        var uncreated = Ids.Room("nobodys");
        var user = TestTokens.For(Ids.User("u"));
        var created = await CreatedAsync(A, TestTokens.For(Ids.User("own")), "open", Ids.Room("made"));

        foreach (var node in new[] { A, B })
        {
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat/{uncreated}?token={user}"), HttpStatusCode.Forbidden, "forbidden_room", user);
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat?room={uncreated}&token={user}"), HttpStatusCode.Forbidden, "forbidden_room", user);
            AssertRefused(await MessagesAsync(node, user, uncreated), HttpStatusCode.Forbidden, "forbidden_room", user);

            await using var client = await node.ConnectAsync(user, path: $"/ws/chat/{created}");
            await client.SendAsync(new { type = "join", room = uncreated });
            await client.ExpectErrorAsync("forbidden_room");
            await client.SendAsync(new { type = "join", room = uncreated, since = 0 });
            await client.ExpectErrorAsync("forbidden_room");
            await client.SendAsync(new { type = "history", room = uncreated });
            await client.ExpectErrorAsync("forbidden_room");
            await client.ExpectNothingPendingAsync();
        }
    }

    [Test]
    public async Task Created_open_room_works_for_anyone_and_a_post_reaches_the_other_node()
    {
        var room = await CreatedAsync(B, TestTokens.For(Ids.User("own")), "open", Ids.Room("made"));
        var elsewhere = await CreatedAsync(A, TestTokens.For(Ids.User("own")), "open", Ids.Room("other"));
        await using var alice = await A.ConnectAsync(TestTokens.For(Ids.User("alice"), "alice"), path: $"/ws/chat/{room}");
        await using var bob = await B.ConnectAsync(TestTokens.For(Ids.User("bob"), "bob"), path: $"/ws/chat/{elsewhere}");
        await bob.JoinAsync(room);

        await alice.PostAckedAsync(room, "the room was made, so it is open", "a-1");

        var frame = await bob.ReceiveMessageAsync(room, "the room was made, so it is open");
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("alice"));
        var read = await MessagesAsync(B, TestTokens.For(Ids.User("carol")), room);
        Assert.That(read.Status, Is.EqualTo(HttpStatusCode.OK), read.Text);
        Assert.That(read.Json.GetProperty("messages").GetArrayLength(), Is.EqualTo(1));
    }
}
