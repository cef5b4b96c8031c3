using System.Net;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.RoomsWithMembers.RoomsApi;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>
/// <c>POST /api/dm</c> (docs/protocol.md §14.4): however many calls both users make at once on
/// both nodes, they land on one direct room, created exactly once; only its two users may use it,
/// no one is added to it, and both see it among their rooms.
/// </summary>
public sealed class DirectMessageTests() : TwoNodeFixture()
{
    private const string DirectName = "^dm-[A-Za-z0-9]{20}$";

    [Test]
    public async Task Concurrent_calls_from_both_users_on_both_nodes_land_on_one_direct_room_created_exactly_once()
    {
        var (a, b) = (Ids.User("a"), Ids.User("b"));
        var (aToken, bToken) = (TestTokens.For(a, "Ada"), TestTokens.For(b, "Bo"));

        // Ten calls from each user, five on each node, all started before any is answered.
        var calls = Enumerable.Range(0, 10).SelectMany(i => new[]
        {
            DirectAsync(i % 2 == 0 ? A : B, aToken, b),
            DirectAsync(i % 2 == 0 ? B : A, bToken, a),
        }).ToList();
        var answers = await Task.WhenAll(calls);

        var context = string.Join("\n", answers.Select(x => $"{(int)x.Status} {x.Text}"));
        Assert.That(answers.Count(x => x.Status == HttpStatusCode.Created), Is.EqualTo(1), context);
        Assert.That(answers.Count(x => x.Status == HttpStatusCode.OK), Is.EqualTo(19), context);
        var names = answers.Select(x => x.Json.GetProperty("room").GetString()).Distinct().ToList();
        Assert.That(names, Has.Count.EqualTo(1), context);
        Assert.That(names[0], Does.Match(DirectName));
        foreach (var answer in answers)
        {
            Assert.That(answer.Json.GetProperty("kind").GetString(), Is.EqualTo("direct"), answer.Text);
            Assert.That(answer.Json.GetProperty("slowModeSeconds").GetInt32(), Is.Zero, answer.Text);
        }

        var later = await DirectAsync(B, aToken, b);
        Assert.That(later.Status, Is.EqualTo(HttpStatusCode.OK), later.Text);
        Assert.That(later.Json.GetProperty("room").GetString(), Is.EqualTo(names[0]));
    }

    [Test]
    public async Task Both_users_talk_in_the_direct_room_across_nodes_and_a_third_user_is_refused_forbidden_room()
    {
        var (a, b) = (Ids.User("a"), Ids.User("b"));
        var (aToken, bToken) = (TestTokens.For(a, "Ada"), TestTokens.For(b, "Bo"));
        var room = await DirectRoomAsync(A, aToken, b);

        await using var ada = await A.ConnectAsync(aToken, path: $"/ws/chat/{room}");
        await using var bo = await B.ConnectAsync(bToken, path: $"/ws/chat/{Ids.Room("home")}");
        await bo.JoinAsync(room);
        await ada.PostAckedAsync(room, "hi Bo", "a-1");
        var frame = await bo.ReceiveMessageAsync(room, "hi Bo");
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo(a));
        await bo.PostAckedAsync(room, "hi Ada", "b-1");
        await ada.ReceiveMessageAsync(room, "hi Ada", "a-1");

        var c = Ids.User("c");
        var cToken = TestTokens.For(c, "Cy");
        foreach (var node in new[] { A, B })
        {
            AssertRefused(await Handshake.SendAsync(node, $"/ws/chat/{room}?token={cToken}"), HttpStatusCode.Forbidden, "forbidden_room", cToken);
            AssertRefused(await MessagesAsync(node, cToken, room), HttpStatusCode.Forbidden, "forbidden_room", cToken);
            AssertRefused(await GetAsync(node, cToken, room), HttpStatusCode.Forbidden, "forbidden_room", cToken);
        }

        await using var cy = await B.ConnectAsync(cToken, path: $"/ws/chat/{Ids.Room("home")}");
        await cy.SendAsync(new { type = "join", room });
        await cy.ExpectErrorAsync("forbidden_room");
        await cy.SendAsync(new { type = "history", room });
        await cy.ExpectErrorAsync("forbidden_room");
        await cy.SendAsync(new { type = "send", room, message = "me too", clientMsgId = "c-1" });
        await cy.ExpectErrorAsync("forbidden_room", "c-1");
    }

    [Test]
    public async Task Direct_room_with_yourself_is_refused_400_invalid_parameter()
    {
        var me = Ids.User("me");
        var answer = await DirectAsync(A, TestTokens.For(me), me);
        AssertRefused(answer, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Test]
    public async Task Members_are_not_added_to_a_direct_room_403_forbidden_and_it_keeps_its_two_members()
    {
        var (a, b) = (Ids.User("a"), Ids.User("b"));
        var aToken = TestTokens.For(a);
        var room = await DirectRoomAsync(B, aToken, b);
        var c = Ids.User("c");

        var byMember = await AddMemberAsync(A, aToken, room, c);
        var asModerator = await AddMemberAsync(B, aToken, room, c, "moderator");

        AssertRefused(byMember, HttpStatusCode.Forbidden, "forbidden", aToken);
        AssertRefused(asModerator, HttpStatusCode.Forbidden, "forbidden", aToken);
        var members = await MembersAsync(A, aToken, room);
        Assert.That(members.Status, Is.EqualTo(HttpStatusCode.OK), members.Text);
        Assert.That(members.Json.GetProperty("members").EnumerateArray()
                .Select(m => (m.GetProperty("userId").GetString(), m.GetProperty("role").GetString())),
            Is.EquivalentTo(new[] { (a, "member"), (b, "member") }));
        AssertRefused(await MessagesAsync(A, TestTokens.For(c), room), HttpStatusCode.Forbidden, "forbidden_room");
    }

    [Test]
    public async Task Both_users_find_the_direct_room_among_their_rooms()
    {
        var (a, b) = (Ids.User("a"), Ids.User("b"));
        var (aToken, bToken) = (TestTokens.For(a), TestTokens.For(b));
        var room = await DirectRoomAsync(A, bToken, a);

        foreach (var (node, token) in new[] { (B, aToken), (A, bToken) })
        {
            var mine = await MyRoomsAsync(node, token);
            Assert.That(mine.Status, Is.EqualTo(HttpStatusCode.OK), mine.Text);
            var entry = mine.Json.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
            Assert.That(entry.GetProperty("kind").GetString(), Is.EqualTo("direct"));
            Assert.That(entry.GetProperty("role").GetString(), Is.EqualTo("member"));
            Assert.That(entry.GetProperty("lastSeq").GetInt64(), Is.Zero);
            Assert.That(entry.GetProperty("lastMessageAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    /// <summary>The direct room of the caller and <paramref name="other"/>, made by this call.</summary>
    private static async Task<string> DirectRoomAsync(ChatNode node, string token, string other)
    {
        var answer = await DirectAsync(node, token, other);
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.Text);
        var room = answer.Json.GetProperty("room").GetString()!;
        Assert.That(room, Does.Match(DirectName));
        return room;
    }
}
