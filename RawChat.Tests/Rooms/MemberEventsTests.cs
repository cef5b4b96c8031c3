using System.Net;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.RoomsWithMembers.RoomFrames;
using static RawChat.Tests.RoomsWithMembers.RoomsApi;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>
/// <c>hello</c> and the live <c>member</c> frames (docs/protocol.md §14.2, §14.6): a connection that
/// opted into <c>members</c> hears each change, placed after the message whose <c>seq</c> it
/// carries, whichever node made it; one that did not hears nothing new; <c>hello</c> is checked
/// strictly but ignores features it does not know; and the Django tutorial's client still sees
/// only <c>message</c> frames.
/// </summary>
public sealed class MemberEventsTests() : TwoNodeFixture()
{
    [Test]
    public async Task Opted_in_member_on_the_other_node_sees_added_role_and_removed_each_after_the_message_whose_seq_it_carries()
    {
        var ownerToken = TestTokens.For(Ids.User("own"));
        var room = await CreatedAsync(A, ownerToken, "private");
        var watcher = Ids.User("watch");
        await AddedAsync(A, ownerToken, room, watcher);
        await using var watching = await B.ConnectAsync(TestTokens.For(watcher), path: $"/ws/chat/{room}");
        await watching.OptIntoMembersAsync();
        await using var owner = await A.ConnectAsync(ownerToken, path: $"/ws/chat/{room}");
        var user = Ids.User("u");

        var one = (await owner.PostAckedAsync(room, "one", "o-1")).GetProperty("seq").GetInt64();
        Assert.That((await watching.ReceiveMessageAsync(room, "one")).GetProperty("seq").GetInt64(), Is.EqualTo(one));
        await AddedAsync(A, ownerToken, room, user);
        AssertMember(await watching.ReceiveTypeAsync("member"), room, user, "added", "member", one);
        Assert.That((await SetRoleAsync(A, ownerToken, room, user, "moderator")).Status, Is.EqualTo(HttpStatusCode.OK));
        AssertMember(await watching.ReceiveTypeAsync("member"), room, user, "role", "moderator", one);

        var two = (await owner.PostAckedAsync(room, "two", "o-2")).GetProperty("seq").GetInt64();
        Assert.That((await watching.ReceiveMessageAsync(room, "two")).GetProperty("seq").GetInt64(), Is.EqualTo(two));
        Assert.That((await RemoveMemberAsync(A, ownerToken, room, user)).Status, Is.EqualTo(HttpStatusCode.NoContent));
        AssertMember(await watching.ReceiveTypeAsync("member"), room, user, "removed", null, two);

        await watching.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Connection_in_the_room_that_did_not_say_hello_gets_no_member_frames()
    {
        var ownerToken = TestTokens.For(Ids.User("own"));
        var room = await CreatedAsync(B, ownerToken, "open", Ids.Room("quiet"));
        await using var watching = await A.ConnectAsync(TestTokens.For(Ids.User("watch")), path: $"/ws/chat/{room}");
        await watching.OptIntoMembersAsync();
        await using var plain = await A.ConnectAsync(TestTokens.For(Ids.User("plain")), path: $"/ws/chat/{room}");
        await using var helloWithout = await A.ConnectAsync(TestTokens.For(Ids.User("other")), path: $"/ws/chat/{room}");
        var answer = await helloWithout.HelloAsync("typing-indicators");
        Assert.That(Strings(answer.GetProperty("features")), Is.Empty);
        var user = Ids.User("u");

        await AddedAsync(B, ownerToken, room, user);
        AssertMember(await watching.ReceiveTypeAsync("member"), room, user, "added", "member", 0);
        Assert.That((await SetRoleAsync(B, ownerToken, room, user, "moderator")).Status, Is.EqualTo(HttpStatusCode.OK));
        AssertMember(await watching.ReceiveTypeAsync("member"), room, user, "role", "moderator", 0);

        // The watcher on the same node heard both changes, so any frame for the others was sent by now.
        await plain.ExpectNothingPendingAsync();
        await helloWithout.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Ban_of_a_member_reaches_an_opted_in_member_as_a_banned_event_with_a_null_role()
    {
        var ownerToken = TestTokens.For(Ids.User("own"));
        var room = await CreatedAsync(A, ownerToken, "private");
        var (watcher, member) = (Ids.User("watch"), Ids.User("mem"));
        await AddedAsync(A, ownerToken, room, watcher);
        await AddedAsync(A, ownerToken, room, member);
        await using var watching = await B.ConnectAsync(TestTokens.For(watcher), path: $"/ws/chat/{room}");
        await watching.OptIntoMembersAsync();
        await using var owner = await A.ConnectAsync(ownerToken, path: $"/ws/chat/{room}");
        var seq = (await owner.PostAckedAsync(room, "last words", "o-1")).GetProperty("seq").GetInt64();
        await watching.ReceiveMessageAsync(room, "last words");

        Assert.That((await BanAsync(A, ownerToken, room, member, "spam")).Status, Is.EqualTo(HttpStatusCode.Created));

        AssertMember(await watching.ReceiveTypeAsync("member"), room, member, "banned", null, seq);
    }

    [Test]
    public async Task Later_hello_adds_features_and_never_turns_members_off()
    {
        var ownerToken = TestTokens.For(Ids.User("own"));
        var room = await CreatedAsync(A, ownerToken, "open", Ids.Room("again"));
        await using var watching = await B.ConnectAsync(TestTokens.For(Ids.User("watch")), path: $"/ws/chat/{room}");
        await watching.OptIntoMembersAsync();

        var again = await watching.HelloAsync();
        Assert.That(again.GetProperty("protocol").GetInt32(), Is.EqualTo(1));
        Assert.That(Strings(again.GetProperty("features")), Is.Empty, "the answer lists what this hello asked for");

        var user = Ids.User("u");
        await AddedAsync(A, ownerToken, room, user);
        AssertMember(await watching.ReceiveTypeAsync("member"), room, user, "added", "member", 0);
    }

    [Test]
    public async Task Hello_answers_only_the_features_the_server_has_of_those_asked()
    {
        await using var client = await A.ConnectAsync(TestTokens.For(Ids.User("u")), path: $"/ws/chat/{Ids.Room("hello")}");

        var mixed = await client.HelloAsync("telepathy", "members", "x");
        var unknown = await client.HelloAsync("telepathy");

        Assert.That(mixed.GetProperty("protocol").GetInt32(), Is.EqualTo(1));
        Assert.That(Strings(mixed.GetProperty("features")), Is.EqualTo(new[] { "members" }));
        Assert.That(unknown.GetProperty("protocol").GetInt32(), Is.EqualTo(1));
        Assert.That(unknown.GetProperty("features").ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(Strings(unknown.GetProperty("features")), Is.Empty, "unknown names are left out, never an error");
        await client.ExpectNothingPendingAsync();
    }

    private static IEnumerable<TestCaseData> BadHellos()
    {
        var seventeen = JsonSerializer.Serialize(Enumerable.Range(0, 17).Select(i => $"f{i}"));
        yield return new TestCaseData($$"""{"type": "hello", "features": {{seventeen}}}""").SetArgDisplayNames("17 features");
        yield return new TestCaseData($$"""{"type": "hello", "features": ["{{new string('f', 33)}}"]}""").SetArgDisplayNames("a 33-character name");
        yield return new TestCaseData("""{"type": "hello", "features": [""]}""").SetArgDisplayNames("an empty name");
        yield return new TestCaseData("""{"type": "hello", "features": "members"}""").SetArgDisplayNames("not an array");
        yield return new TestCaseData("""{"type": "hello", "features": [7]}""").SetArgDisplayNames("a number");
        yield return new TestCaseData("""{"type": "hello", "features": null}""").SetArgDisplayNames("null");
    }

    [TestCaseSource(nameof(BadHellos))]
    public async Task Hello_outside_16_features_of_1_to_32_characters_is_refused_invalid_frame_and_the_socket_stays_open(string frame)
    {
        await using var client = await A.ConnectAsync(TestTokens.For(Ids.User("u")), path: $"/ws/chat/{Ids.Room("hello")}");

        await client.SendTextAsync(frame);

        await client.ExpectErrorAsync("invalid_frame");
        var atTheLimits = Enumerable.Range(0, 15).Select(i => $"{i:D2}{new string('f', 30)}").Append("members").ToArray();
        var answer = await client.HelloAsync(atTheLimits);
        Assert.That(Strings(answer.GetProperty("features")), Is.EqualTo(new[] { "members" }), "16 features of up to 32 characters are fine");
    }

    [Test]
    public async Task Tutorial_client_in_an_implicit_open_room_still_receives_exactly_message_frames_with_user_message_and_timestamp()
    {
        var room = Ids.Room("tutorial");
        // new WebSocket("ws://host/ws/chat/" + room + "/?token=" + jwt), as the tutorial's page builds it
        await using var alice = await ChatClient.ConnectAsync(A.Chat($"/ws/chat/{room}/?token={TestTokens.For(Ids.User("alice"), "alice")}"));
        await using var bob = await ChatClient.ConnectAsync(B.Chat($"/ws/chat/{room}/?token={TestTokens.For(Ids.User("bob"), "bob")}"));
        var zed = Ids.User("zed");
        await using var zedSocket = await B.ConnectAsync(TestTokens.For(zed, "zed"), path: $"/ws/chat/{room}");
        await zedSocket.OptIntoMembersAsync();

        // Moderation happens in the room (service tokens moderate implicit rooms): the tutorial clients never hear of it.
        var ban = await BanAsync(A, TestTokens.Service(Ids.User("svc")), room, zed, "testing");
        Assert.That(ban.Status, Is.EqualTo(HttpStatusCode.Created), ban.Text);
        await zedSocket.ReceiveLeftAsync(room, "banned");

        await alice.SendTextAsync("""{"message": "hi bob"}""");

        foreach (var client in new[] { alice, bob })
        {
            var frame = await client.ReceiveAsync();
            Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("message"), frame.ToString());
            Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("alice"));
            Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo("hi bob"));
            Assert.That(frame.GetProperty("timestamp").GetString(), Does.Match(Timestamp));
            Assert.That(frame.TryGetProperty("clientMsgId", out _), Is.False);
            await client.ExpectNothingPendingAsync();
        }

        await zedSocket.ExpectNothingPendingAsync();
    }

    private static void AssertMember(JsonElement frame, string room, string userId, string @event, string? role, long seq)
    {
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("member"), frame.ToString());
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo(room), frame.ToString());
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo(userId), frame.ToString());
        Assert.That(frame.GetProperty("event").GetString(), Is.EqualTo(@event), frame.ToString());
        if (role is null)
        {
            Assert.That(frame.GetProperty("role").ValueKind, Is.EqualTo(JsonValueKind.Null), frame.ToString());
        }
        else
        {
            Assert.That(frame.GetProperty("role").GetString(), Is.EqualTo(role), frame.ToString());
        }

        Assert.That(frame.GetProperty("seq").GetInt64(), Is.EqualTo(seq), frame.ToString());
    }
}
