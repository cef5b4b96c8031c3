using System.Net;
using NUnit.Framework;
using RawChat.Tests.Support;
using static RawChat.Tests.RoomsWithMembers.RoomsApi;
using static RawChat.Tests.Support.Refusal;

namespace RawChat.Tests.RoomsWithMembers;

/// <summary>
/// docs/protocol.md §14.3's limits, with small settings: the rooms one user can be in, the members one room can have,
/// and each user's request budget on the rooms API (service tokens not counted). Each refusal hurts only its user.
/// </summary>
public sealed class RoomLimitsTests() : TwoNodeFixture(Settings)
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Rooms:MaxRoomsPerUser"] = "2",
        ["Rooms:MaxMembersPerRoom"] = "3",
        ["Rooms:ApiRequestsPerSecond"] = "1",
        ["Rooms:ApiBurst"] = "8",
    };

    [Test]
    public async Task A_user_in_as_many_rooms_as_allowed_can_neither_create_nor_open_a_direct_room_nor_be_added()
    {
        var (full, other) = (Ids.User("full"), Ids.User("other"));
        var fullToken = TestTokens.For(full);
        await CreatedAsync(A, fullToken, "private");
        await CreatedAsync(B, fullToken, "private");

        AssertRefused(await CreateAsync(A, fullToken, "private"), HttpStatusCode.Conflict, "too_many_rooms", fullToken);
        AssertRefused(await DirectAsync(B, fullToken, other), HttpStatusCode.Conflict, "too_many_rooms", fullToken);
        var otherToken = TestTokens.For(other);
        AssertRefused(await DirectAsync(A, otherToken, full), HttpStatusCode.Conflict, "too_many_rooms", otherToken);
        var room = await CreatedAsync(A, otherToken, "private");
        AssertRefused(await AddMemberAsync(B, otherToken, room, full), HttpStatusCode.Conflict, "too_many_rooms", otherToken);

        var fresh = Ids.User("fresh");
        Assert.That((await AddMemberAsync(A, otherToken, room, fresh)).Status, Is.EqualTo(HttpStatusCode.Created),
            "another user is not held to the full user's bound");
    }

    [Test]
    public async Task A_room_with_as_many_members_as_allowed_takes_no_more_but_a_member_added_again_is_still_answered()
    {
        var owner = Ids.User("owner");
        var ownerToken = TestTokens.For(owner);
        var room = await CreatedAsync(A, ownerToken, "private");
        var (first, second) = (Ids.User("m1"), Ids.User("m2"));
        await AddedAsync(A, ownerToken, room, first);
        await AddedAsync(B, ownerToken, room, second);

        AssertRefused(await AddMemberAsync(A, ownerToken, room, Ids.User("m3")), HttpStatusCode.Conflict, "room_full", ownerToken);
        Assert.That((await AddMemberAsync(B, ownerToken, room, first)).Status, Is.EqualTo(HttpStatusCode.OK),
            "adding a member again changes nothing and is not refused");
        Assert.That((await RemoveMemberAsync(A, ownerToken, room, second)).Status, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await AddMemberAsync(A, ownerToken, room, Ids.User("m4"))).Status, Is.EqualTo(HttpStatusCode.Created),
            "a place freed is a place");
    }

    [Test]
    public async Task A_user_past_the_request_budget_is_refused_429_with_retry_after_while_others_and_services_are_served()
    {
        var owner = Ids.User("busy");
        var token = TestTokens.For(owner);
        var room = await CreatedAsync(A, token, "open", Ids.Room("budget"));

        var answers = new List<ApiAnswer>();
        for (var i = 0; i < 12; i++)
        {
            answers.Add(await GetAsync(A, token, room));
        }

        var refused = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.That(refused, Is.Not.Empty, "12 requests at once are over a burst of 8 at 1 per second");
        AssertRefused(refused[0], HttpStatusCode.TooManyRequests, "rate_limited", token);
        Assert.That(refused[0].Response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));

        var neighbour = TestTokens.For(Ids.User("calm"));
        Assert.That((await GetAsync(A, neighbour, room)).Status, Is.EqualTo(HttpStatusCode.OK), "another user's budget is untouched");
        var service = TestTokens.Service(Ids.User("svc"));
        for (var i = 0; i < 12; i++)
        {
            Assert.That((await GetAsync(A, service, room)).Status, Is.EqualTo(HttpStatusCode.OK), "service tokens are not counted");
        }
    }
}
