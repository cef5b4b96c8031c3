using System.Text;
using NUnit.Framework;
using RawChat.Core.Presence;
using RawChat.Core.Protocol;

namespace RawChat.Tests.Unit;

/// <summary>A room's presence envelope: only presence events and typing frames of that room decode.</summary>
public sealed class PresenceEnvelopeTests
{
    private static readonly PresenceUser Alice = new("42", "alice");

    [Test]
    public void Join_leave_and_typing_frames_of_the_room_decode()
    {
        foreach (var frame in new[]
        {
            PresenceFrames.Event("r", PresenceChange.Join, Alice),
            PresenceFrames.Event("r", PresenceChange.Leave, Alice),
            PresenceFrames.Typing("r", Alice),
        })
        {
            Assert.That(PresenceEnvelope.TryDecode(PresenceEnvelope.Encode(Guid.NewGuid(), frame), "r", out _, out var decoded), Is.True);
            Assert.That(decoded.ToArray(), Is.EqualTo(frame));
        }
    }

    [TestCase("""{"type":"presence","room":"r","users":[{"user":"alice","userId":"42"}]}""", TestName = "A presence list does not travel on the channel")]
    [TestCase("""{"type":"presence","room":"r","event":"dance","user":"alice","userId":"42"}""", TestName = "A presence event that is neither join nor leave does not decode")]
    [TestCase("""{"type":"typing","room":"r","event":"join","user":"alice","userId":"42"}""", TestName = "A typing frame with an event does not decode")]
    [TestCase("""{"type":"typing","room":"r","user":"alice"}""", TestName = "A typing frame without a userId does not decode")]
    [TestCase("""{"type":"typing","room":"r","user":"alice","userId":42}""", TestName = "A typing frame whose userId is a number does not decode")]
    [TestCase("""{"type":"message","id":1,"room":"r","seq":1,"user":"a","userId":"42","message":"m","timestamp":"t"}""", TestName = "A message frame does not decode as presence")]
    [TestCase("""{"type":"typing","room":"other","user":"alice","userId":"42"}""", TestName = "Another room typing frame does not decode")]
    [TestCase("""{"type":"typing","room":"r","user":"alice","userId":"42"} {}""", TestName = "Bytes after a typing frame do not decode")]
    [TestCase("typing", TestName = "Text that is not JSON does not decode as presence")]
    public void Bytes_that_are_not_a_presence_event_or_typing_frame_of_the_room_do_not_decode(string frame)
    {
        var payload = PresenceEnvelope.Encode(Guid.NewGuid(), Encoding.UTF8.GetBytes(frame));

        Assert.That(PresenceEnvelope.TryDecode(payload, "r", out _, out _), Is.False);
    }
}
