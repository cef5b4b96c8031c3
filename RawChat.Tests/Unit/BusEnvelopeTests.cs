using NUnit.Framework;
using RawChat.Core.Fanout;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Tests.Unit;

public sealed class BusEnvelopeTests
{
    private static readonly StoredMessage Message =
        new(981, "r", 12, "42", "alice", "héllo <b>", "c-1", new DateTime(2026, 11, 24, 17, 40, 0, DateTimeKind.Utc));

    [Test]
    public void An_envelope_carries_the_seq_and_exactly_the_message_frame_sockets_receive()
    {
        var envelope = BusEnvelope.Create(Message);

        Assert.That(BusEnvelope.TryDecode(envelope, out var seq, out var frame), Is.True);
        Assert.That(seq, Is.EqualTo(12));
        Assert.That(frame.ToArray(), Is.EqualTo(ServerFrames.Message(Message)));
        Assert.That(BusEnvelope.FrameOf(envelope).ToArray(), Is.EqualTo(frame.ToArray()));
    }

    [Test]
    public void A_payload_too_short_to_hold_a_frame_is_not_an_envelope()
    {
        Assert.That(BusEnvelope.TryDecode(new byte[8], out _, out _), Is.False);
        Assert.That(BusEnvelope.TryDecode(null, out _, out _), Is.False);
    }
}
