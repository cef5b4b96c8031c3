using NUnit.Framework;
using RawChat.Core.Rooms;

namespace RawChat.Tests.Unit;

/// <summary>docs/protocol.md §14.1's table of who may do what, as <see cref="RoomRules"/> decides it from PostgreSQL's rows.</summary>
public sealed class RoomRulesTests
{
    private static readonly DateTime Now = new(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);

    [TestCase("open", null, true)]
    [TestCase("open", "member", true)]
    [TestCase("private", null, false)]
    [TestCase("private", "member", true)]
    [TestCase("private", "owner", true)]
    [TestCase("direct", null, false)]
    [TestCase("direct", "member", true)]
    public void Who_may_read_depends_on_kind_and_membership(string kind, string? role, bool mayRead)
    {
        var policy = Policy(kind);
        Assert.That(RoomRules.MayRead(policy, new UserStanding(role, false, null, false, null), implicitOpenRooms: true, Now), Is.EqualTo(mayRead));
    }

    [Test]
    public void A_ban_shuts_out_even_an_owner_until_it_expires()
    {
        var policy = Policy("open");
        var forever = new UserStanding("owner", true, null, false, null);
        var past = new UserStanding(null, true, Now.AddSeconds(-1), false, null);
        var future = new UserStanding(null, true, Now.AddHours(1), false, null);
        Assert.That(RoomRules.MayRead(policy, forever, true, Now), Is.False);
        Assert.That(RoomRules.MayRead(policy, future, true, Now), Is.False);
        Assert.That(RoomRules.MayRead(policy, past, true, Now), Is.True, "an expired ban no longer applies");
    }

    [Test]
    public void A_name_without_a_record_is_open_only_while_implicit_rooms_are_on()
    {
        var policy = new RoomPolicy(RoomRecord.Implicit("lobby"), false, false);
        Assert.That(RoomRules.MayRead(policy, UserStanding.Nobody, implicitOpenRooms: true, Now), Is.True);
        Assert.That(RoomRules.MayRead(policy, UserStanding.Nobody, implicitOpenRooms: false, Now), Is.False);
        Assert.That(policy.NeedsNoStanding, Is.True, "a plain open room asks nothing about the user");
    }

    [TestCase("owner", "moderator", true)]
    [TestCase("owner", "member", true)]
    [TestCase("owner", null, true)]
    [TestCase("owner", "owner", false)]
    [TestCase("moderator", "member", true)]
    [TestCase("moderator", null, true)]
    [TestCase("moderator", "moderator", false)]
    [TestCase("moderator", "owner", false)]
    [TestCase("member", null, false)]
    [TestCase(null, null, false)]
    public void Moderators_act_only_on_lower_roles(string? actor, string? target, bool may)
    {
        Assert.That(RoomRules.Outranks(actor, target), Is.EqualTo(may));
    }

    [Test]
    public void Slow_mode_holds_back_members_but_not_moderators()
    {
        var slow = new RoomPolicy(new RoomRecord("r", "open", null, "1", Now, 30, true), false, false);
        Assert.That(RoomRules.SlowModeApplies(slow, UserStanding.Nobody), Is.True);
        Assert.That(RoomRules.SlowModeApplies(slow, new UserStanding("member", false, null, false, null)), Is.True);
        Assert.That(RoomRules.SlowModeApplies(slow, new UserStanding("moderator", false, null, false, null)), Is.False);
        Assert.That(slow.NeedsNoStanding, Is.False, "slow mode needs the user's role");
    }

    [Test]
    public void A_change_announced_on_the_control_channel_reads_back_as_written()
    {
        var change = new RoomChange("team-red", "7", RoomChange.Banned, null, 42, "node-a");
        Assert.That(RoomChange.TryDecode(change.Encode()), Is.EqualTo(change));
        Assert.That(RoomChange.TryDecode("""{"room": "bad room!", "userId": null, "event": "x", "role": null, "seq": 1, "origin": "n"}"""u8.ToArray()),
            Is.Null);
        Assert.That(RoomChange.TryDecode("not json"u8.ToArray()), Is.Null);
    }

    private static RoomPolicy Policy(string kind) => new(new RoomRecord("r", kind, null, "1", Now, 0, true), false, false);
}
