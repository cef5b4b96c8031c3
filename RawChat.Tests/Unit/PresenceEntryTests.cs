using System.Text;
using NUnit.Framework;
using RawChat.Core.Presence;
using RawChat.Core.Protocol;

namespace RawChat.Tests.Unit;

/// <summary>The presence entry kept in Redis, the envelope on the presence channel, and the presence frames.</summary>
public sealed class PresenceEntryTests
{
    private static readonly string NodeId = Guid.NewGuid().ToString("N");

    [TestCase("42", "alice")]
    [TestCase("user:7", "Zoë 😀")]
    [TestCase("a\nb", "")]
    [TestCase("ünïcode-id", "name with: colons 12:")]
    public void Entry_decodes_to_the_user_it_was_made_for(string userId, string name)
    {
        var member = PresenceEntry.Encode(NodeId, new PresenceUser(userId, name));

        Assert.That(PresenceEntry.TryDecode(member, out var user), Is.True);
        Assert.That(user, Is.EqualTo(new PresenceUser(userId, name)));
    }

    [Test]
    public void User_prefix_matches_that_user_on_every_node_and_no_other_user()
    {
        var prefix = PresenceEntry.UserPrefix("4");
        var sameUserOtherNode = PresenceEntry.Encode(Guid.NewGuid().ToString("N"), new PresenceUser("4", "x"));
        var longerId = PresenceEntry.Encode(NodeId, new PresenceUser("42", "x"));
        var idThatLooksLikeAPrefix = PresenceEntry.Encode(NodeId, new PresenceUser("1:4", "x"));

        Assert.That(sameUserOtherNode.AsSpan().StartsWith(prefix), Is.True);
        Assert.That(longerId.AsSpan().StartsWith(prefix), Is.False);
        Assert.That(idThatLooksLikeAPrefix.AsSpan().StartsWith(prefix), Is.False);
    }

    [TestCase("")]
    [TestCase("garbage")]
    [TestCase("99:short")]
    [TestCase(":42")]
    public void Malformed_entries_do_not_decode(string member)
    {
        Assert.That(PresenceEntry.TryDecode(Encoding.UTF8.GetBytes(member), out _), Is.False);
    }

    [Test]
    public void Envelope_carries_the_origin_node_and_the_frame_unchanged()
    {
        var origin = Guid.NewGuid();
        var frame = PresenceFrames.Typing("r", new PresenceUser("42", "alice"));

        Assert.That(PresenceEnvelope.TryDecode(PresenceEnvelope.Encode(origin, frame), "r", out var decodedOrigin, out var decoded), Is.True);
        Assert.That(decodedOrigin, Is.EqualTo(origin));
        Assert.That(decoded.ToArray(), Is.EqualTo(frame));
        Assert.That(PresenceEnvelope.TryDecode(new byte[16], "r", out _, out _), Is.False, "an envelope without a frame");
        Assert.That(PresenceEnvelope.TryDecode(PresenceEnvelope.Encode(origin, frame), "other", out _, out _), Is.False, "another room's frame");
    }

    [Test]
    public void Presence_frames_have_the_documented_shapes()
    {
        var alice = new PresenceUser("42", "alice");
        var bob = new PresenceUser("7", "bob \"b\"");

        Assert.That(Text(PresenceFrames.List("r", [alice, bob])),
            Is.EqualTo("""{"type":"presence","room":"r","users":[{"user":"alice","userId":"42"},{"user":"bob \"b\"","userId":"7"}]}"""));
        Assert.That(Text(PresenceFrames.List("r", [])), Is.EqualTo("""{"type":"presence","room":"r","users":[]}"""));
        Assert.That(Text(PresenceFrames.Event("r", PresenceChange.Join, alice)),
            Is.EqualTo("""{"type":"presence","room":"r","event":"join","user":"alice","userId":"42"}"""));
        Assert.That(Text(PresenceFrames.Event("r", PresenceChange.Leave, alice)),
            Is.EqualTo("""{"type":"presence","room":"r","event":"leave","user":"alice","userId":"42"}"""));
        Assert.That(Text(PresenceFrames.Typing("r", alice)), Is.EqualTo("""{"type":"typing","room":"r","user":"alice","userId":"42"}"""));
    }

    private static string Text(byte[] frame) => Encoding.UTF8.GetString(frame);
}
