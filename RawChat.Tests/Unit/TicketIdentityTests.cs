using System.Text;
using NUnit.Framework;
using RawChat.Core.Auth;
using RawChat.Core.Tickets;

namespace RawChat.Tests.Unit;

/// <summary>A ticket stands for exactly the identity its token gave: user, name, rooms claim, service flag, expiry.</summary>
public sealed class TicketIdentityTests
{
    private static readonly DateTime Expiry = new(2031, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc);

    [Test]
    public void A_service_token_with_a_rooms_claim_comes_back_the_same()
    {
        var user = new ChatUser("svc-1", "Deploy bot", new RoomAccess(["team-*", "lobby"]), Expiry) { IsService = true };

        var back = TicketIdentity.Read(TicketIdentity.Write(user))!;

        Assert.That((back.UserId, back.Name, back.ExpiresAtUtc, back.IsService), Is.EqualTo(("svc-1", "Deploy bot", Expiry, true)));
        Assert.That(back.Rooms.Entries, Is.EqualTo(new[] { "team-*", "lobby" }));
        Assert.That(back.Rooms.Allows("team-red"), Is.True);
        Assert.That(back.Rooms.Allows("random"), Is.False);
    }

    [Test]
    public void A_token_without_a_rooms_claim_still_opens_every_room_and_an_empty_claim_none()
    {
        var open = TicketIdentity.Read(TicketIdentity.Write(new ChatUser("1", "a", RoomAccess.Unrestricted, Expiry)))!;
        var closed = TicketIdentity.Read(TicketIdentity.Write(new ChatUser("2", "b", new RoomAccess([]), Expiry)))!;

        Assert.That(open.Rooms.Entries, Is.Null);
        Assert.That(open.Rooms.Allows("anything"), Is.True);
        Assert.That(open.IsService, Is.False);
        Assert.That(closed.Rooms.Allows("anything"), Is.False);
    }

    [TestCase("")]
    [TestCase("[]")]
    [TestCase("""{"userId": "1"}""")]
    [TestCase("""{"userId": "1", "name": "a", "rooms": [1], "service": false, "exp": 1}""")]
    public void Bytes_it_did_not_write_are_no_identity(string json)
    {
        Assert.That(TicketIdentity.Read(Encoding.UTF8.GetBytes(json)), Is.Null);
    }
}
