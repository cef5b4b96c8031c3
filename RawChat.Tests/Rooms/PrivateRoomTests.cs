using System.Net;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.RoomsWithMembers.RoomFrames;
using static RawChat.Tests.RoomsWithMembers.RoomsApi;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>
/// A private room (docs/protocol.md §14.1) is closed to everyone but its members on every path —
/// connect, join, replay, history, the messages and rooms APIs, a post — with the same
/// <c>forbidden_room</c> a room outside the token's claim gets, so its existence is not revealed;
/// its members use it like any room across both nodes, a service token reads it without being a
/// member, and making a room private takes the non-members' sockets out of it.
/// </summary>
public sealed class PrivateRoomTests() : TwoNodeFixture()
{
    [Test]
    public async Task Non_member_is_refused_403_forbidden_room_at_connect_on_either_node_before_the_upgrade()
    {
        var scene = await PrivateRoomAsync();
        var outsider = TestTokens.For(Ids.User("out"));

        foreach (var node in new[] { A, B })
        {
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat/{scene.Room}?token={outsider}"), HttpStatusCode.Forbidden, "forbidden_room", outsider);
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat/{scene.Room}/?token={outsider}"), HttpStatusCode.Forbidden, "forbidden_room", outsider);
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat?room={scene.Room}&token={outsider}"), HttpStatusCode.Forbidden, "forbidden_room", outsider);
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat/{scene.Room}?since=0&token={outsider}"), HttpStatusCode.Forbidden, "forbidden_room", outsider);

            var (client, refused) = await ChatClient.TryConnectAsync(node.Chat($"/ws/chat/{scene.Room}?token={outsider}"));
            Assert.That(client, Is.Null, "no socket is opened only to be closed");
            Assert.That(refused, Is.EqualTo(HttpStatusCode.Forbidden));
        }
    }

    [Test]
    public async Task Non_member_gets_forbidden_room_for_join_join_with_since_history_and_a_send_without_a_join_and_hears_nothing()
    {
        var scene = await PrivateRoomAsync();
        await using var member = await A.ConnectAsync(scene.MemberToken, path: $"/ws/chat/{scene.Room}");
        await using var owner = await B.ConnectAsync(scene.OwnerToken, path: $"/ws/chat/{scene.Room}");
        await member.PostAckedAsync(scene.Room, "said before anyone knocked", "m-1");
        await owner.ReceiveMessageAsync(scene.Room, "said before anyone knocked");
        await using var outsider = await B.ConnectAsync(TestTokens.For(Ids.User("out")), path: $"/ws/chat/{Ids.Room("home")}");

        await outsider.SendAsync(new { type = "join", room = scene.Room });
        await outsider.ExpectErrorAsync("forbidden_room");
        await outsider.SendAsync(new { type = "join", room = scene.Room, since = 0 });
        await outsider.ExpectErrorAsync("forbidden_room");
        await outsider.SendAsync(new { type = "history", room = scene.Room });
        await outsider.ExpectErrorAsync("forbidden_room");
        await outsider.SendAsync(new { type = "history", room = scene.Room, before = 2, limit = 1 });
        await outsider.ExpectErrorAsync("forbidden_room");
        await outsider.SendAsync(new { type = "send", room = scene.Room, message = "let me in", clientMsgId = "o-1" });
        await outsider.ExpectErrorAsync("forbidden_room", "o-1");

        await member.PostAckedAsync(scene.Room, "members only", "m-2");
        await owner.ReceiveMessageAsync(scene.Room, "members only");
        await outsider.ExpectNothingPendingAsync();
        Assert.That(await StoredTextsAsync(A, scene.Room), Is.EqualTo(new[] { "said before anyone knocked", "members only" }),
            "the outsider's post was not stored");
    }

    [Test]
    public async Task Non_member_is_refused_403_forbidden_room_by_the_messages_api_and_the_rooms_api_as_if_the_room_were_not_its_to_see()
    {
        var scene = await PrivateRoomAsync();
        var outsider = TestTokens.For(Ids.User("out"));
        var claimExcludes = TestTokens.For(Ids.User("out"), rooms: ["elsewhere-*"]);

        foreach (var node in new[] { A, B })
        {
            var answers = new[]
            {
                await MessagesAsync(node, outsider, scene.Room),
                await GetAsync(node, outsider, scene.Room),
                await MembersAsync(node, outsider, scene.Room),
                await AddMemberAsync(node, outsider, scene.Room, Ids.User()),
                await RemoveMemberAsync(node, outsider, scene.Room, scene.Member),
                await PatchAsync(node, outsider, scene.Room, new { topic = "mine now" }),
                await BanAsync(node, outsider, scene.Room, scene.Member, "for fun"),
                await AuditAsync(node, outsider, scene.Room),
            };
            foreach (var answer in answers)
            {
                AssertRefused(answer, HttpStatusCode.Forbidden, "forbidden_room", outsider);
            }

            // The very answer a token gets for a room its claim does not allow.
            AssertRefused(await MessagesAsync(node, claimExcludes, scene.Room), HttpStatusCode.Forbidden, "forbidden_room", claimExcludes);
        }

        var members = await MembersAsync(A, scene.OwnerToken, scene.Room);
        Assert.That(members.Json.GetProperty("members").GetArrayLength(), Is.EqualTo(2), "nothing changed");
        Assert.That((await GetAsync(A, scene.OwnerToken, scene.Room)).Json.GetProperty("topic").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Member_connects_joins_replays_reads_and_posts_and_a_member_on_the_other_node_receives_it()
    {
        var scene = await PrivateRoomAsync();
        await using var member = await A.ConnectAsync(scene.MemberToken, path: $"/ws/chat/{scene.Room}");
        await using var owner = await B.ConnectAsync(scene.OwnerToken, path: $"/ws/chat/{Ids.Room("home")}");

        var history = await owner.JoinAsync(scene.Room);
        Assert.That(history.GetProperty("messages").GetArrayLength(), Is.Zero);

        var ack = await member.PostAckedAsync(scene.Room, "for members", "m-1");
        var received = await owner.ReceiveMessageAsync(scene.Room, "for members");
        Assert.That(received.GetProperty("seq").GetInt64(), Is.EqualTo(ack.GetProperty("seq").GetInt64()));
        Assert.That(received.GetProperty("userId").GetString(), Is.EqualTo(scene.Member));

        await owner.SendAsync(new { type = "history", room = scene.Room });
        var page = await owner.ReceiveTypeAsync("history");
        Assert.That(Texts(page.GetProperty("messages")), Is.EqualTo(new[] { "for members" }));

        await owner.SendAsync(new { type = "join", room = scene.Room, since = 0 });
        await owner.ReceiveTypeAsync("joined");
        await owner.ReceiveMessageAsync(scene.Room, "for members");
        await owner.ExpectNothingPendingAsync();

        await using var replayed = await B.ConnectAsync(scene.MemberToken, query: "&since=0", path: $"/ws/chat/{scene.Room}");
        await replayed.ReceiveMessageAsync(scene.Room, "for members");

        var read = await MessagesAsync(B, scene.MemberToken, scene.Room);
        Assert.That(read.Status, Is.EqualTo(HttpStatusCode.OK), read.Text);
        Assert.That(Texts(read.Json.GetProperty("messages")), Is.EqualTo(new[] { "for members" }));
        Assert.That((await GetAsync(B, scene.MemberToken, scene.Room)).Json.GetProperty("kind").GetString(), Is.EqualTo("private"));
    }

    [Test]
    public async Task Service_token_reads_joins_and_publishes_in_a_private_room_without_being_a_member()
    {
        var scene = await PrivateRoomAsync();
        var service = TestTokens.Service(Ids.User("svc"), "backend");
        await using var member = await A.ConnectAsync(scene.MemberToken, path: $"/ws/chat/{scene.Room}");
        await using var socket = await B.ConnectAsync(service, path: $"/ws/chat/{scene.Room}");

        await member.PostAckedAsync(scene.Room, "a member speaks", "m-1");
        await socket.ReceiveMessageAsync(scene.Room, "a member speaks");
        var published = await CallAsync(B, HttpMethod.Post, $"/api/rooms/{scene.Room}/messages", service, new { message = "the backend answers" });
        Assert.That(published.Status, Is.EqualTo(HttpStatusCode.Created), published.Text);
        await member.ReceiveMessageAsync(scene.Room, "a member speaks");
        await member.ReceiveMessageAsync(scene.Room, "the backend answers");

        var read = await MessagesAsync(A, service, scene.Room);
        Assert.That(read.Status, Is.EqualTo(HttpStatusCode.OK), read.Text);
        Assert.That(Texts(read.Json.GetProperty("messages")), Is.EqualTo(new[] { "a member speaks", "the backend answers" }));
        Assert.That((await GetAsync(A, service, scene.Room)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await MembersAsync(A, service, scene.Room)).Status, Is.EqualTo(HttpStatusCode.OK));
        await using var joiner = await A.ConnectAsync(service, path: $"/ws/chat/{Ids.Room("home")}");
        var history = await joiner.JoinAsync(scene.Room);
        Assert.That(Texts(history.GetProperty("messages")), Is.EqualTo(new[] { "a member speaks", "the backend answers" }));
    }

    [Test]
    public async Task Creating_a_private_room_under_connected_non_members_takes_them_out_with_reason_closed()
    {
        var name = Ids.Room("closing");
        await using var optedIn = await A.ConnectAsync(TestTokens.For(Ids.User("x")), path: $"/ws/chat/{name}");
        await optedIn.OptIntoMembersAsync();
        await using var plain = await B.ConnectAsync(TestTokens.For(Ids.User("y")), path: $"/ws/chat/{name}");
        Assert.That(await plain.HistoryCodeAsync(name), Is.EqualTo("history"), "the implicit room is open to all");
        var owner = Ids.User("own");
        var ownerToken = TestTokens.For(owner);

        var created = await CreateAsync(A, ownerToken, "private", name);

        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.Created), created.Text);
        await optedIn.ReceiveLeftAsync(name, "closed");
        await PollAsync(() => plain.HistoryCodeAsync(name), "forbidden_room", "history, asked by a non-member's socket", Generously);

        var witness = Ids.User("w");
        await AddedAsync(A, ownerToken, name, witness);
        await using var witnessSocket = await B.ConnectAsync(TestTokens.For(witness), path: $"/ws/chat/{name}");
        await using var ownerSocket = await A.ConnectAsync(ownerToken, path: $"/ws/chat/{name}");
        await ownerSocket.PostAckedAsync(name, "now it is private", "c-1");
        await witnessSocket.ReceiveMessageAsync(name, "now it is private");
        await optedIn.ExpectNothingPendingAsync();
        await plain.ExpectNothingPendingAsync();

        var refused = await optedIn.PostAsync(name, "still here?", "x-1");
        AssertError(refused, "forbidden_room", "x-1");
        Assert.That(optedIn.Closed.IsCompleted || plain.Closed.IsCompleted, Is.False, "the sockets stay open");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private sealed record Scene(string Room, string Owner, string OwnerToken, string Member, string MemberToken);

    /// <summary>A private room made on A by a new owner, with one plain member added.</summary>
    private async Task<Scene> PrivateRoomAsync()
    {
        var owner = Ids.User("own");
        var ownerToken = TestTokens.For(owner, "Owen");
        var room = await CreatedAsync(A, ownerToken, "private");
        var member = Ids.User("mem");
        await AddedAsync(A, ownerToken, room, member);
        return new Scene(room, owner, ownerToken, member, TestTokens.For(member, "Mara"));
    }

    private static string[] Texts(JsonElement messages) =>
        [.. messages.EnumerateArray().Select(m => m.GetProperty("message").GetString()!)];
}
