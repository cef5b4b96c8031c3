using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using RawChat.Core.Fanout;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Tests.Unit;

/// <summary>
/// A room's Redis envelope: the seq, then the message frame sockets receive. Whatever else is
/// published on the channel never decodes, so it never reaches a socket.
/// </summary>
public sealed class BusEnvelopeTests
{
    private static readonly StoredMessage Message =
        new(981, "r", 12, "42", "alice", "héllo <b>", "c-1", new DateTime(2026, 11, 24, 17, 40, 0, DateTimeKind.Utc));

    private static readonly string Frame = Encoding.UTF8.GetString(ServerFrames.Message(Message));

    [Test]
    public void An_envelope_carries_the_seq_and_exactly_the_message_frame_sockets_receive()
    {
        var envelope = BusEnvelope.Create(Message);

        Assert.That(BusEnvelope.TryDecode(envelope, "r", out var seq, out var frame), Is.True);
        Assert.That(seq, Is.EqualTo(12));
        Assert.That(frame.ToArray(), Is.EqualTo(ServerFrames.Message(Message)));
        Assert.That(BusEnvelope.FrameOf(envelope).ToArray(), Is.EqualTo(frame.ToArray()));
    }

    [Test]
    public void A_well_formed_frame_larger_than_any_RawChat_writes_is_not_an_envelope()
    {
        // Valid in every other way: an unknown field may hold anything, but not 64 KiB of it, which
        // would close every socket in the room with a smaller outbox as a slow consumer.
        var padded = Frame.Replace("\"type\"", $"\"pad\":\"{new string('x', 64 * 1024)}\",\"type\"", StringComparison.Ordinal);
        var largest = ServerFrames.Message(Message with { Content = new string('\u0001', 4000), Username = new string('\u0002', 256) });

        Assert.That(BusEnvelope.TryDecode(Envelope(12, padded), "r", out _, out _), Is.False);
        Assert.That(BusEnvelope.TryDecode(BusEnvelope.Create(Message with { Content = new string('\u0001', 4000) }), "r", out _, out _),
            Is.True, "the largest message RawChat writes still passes");
        Assert.That(largest.Length, Is.LessThan(32 * 1024));
    }

    [Test]
    public void A_payload_too_short_to_hold_a_frame_is_not_an_envelope()
    {
        Assert.That(BusEnvelope.TryDecode(new byte[8], "r", out _, out _), Is.False);
        Assert.That(BusEnvelope.TryDecode(null, "r", out _, out _), Is.False);
    }

    [TestCase(0)]
    [TestCase(-12)]
    [TestCase(13)]
    [TestCase(long.MaxValue)]
    public void A_seq_that_is_not_positive_or_not_the_frame_seq_is_not_an_envelope(long seq)
    {
        Assert.That(BusEnvelope.TryDecode(Envelope(seq, Frame), "r", out _, out _), Is.False);
    }

    [Test]
    public void Another_room_message_is_not_an_envelope_of_this_room()
    {
        Assert.That(BusEnvelope.TryDecode(BusEnvelope.Create(Message), "r2", out _, out _), Is.False);
        Assert.That(BusEnvelope.TryDecode(BusEnvelope.Create(Message), "R", out _, out _), Is.False, "room names are case-sensitive");
    }

    [TestCase("hello, not JSON at all", TestName = "Text that is not JSON is not an envelope")]
    [TestCase("""["message", "r", 12]""", TestName = "A JSON array is not an envelope")]
    [TestCase("\"message\"", TestName = "A JSON string is not an envelope")]
    [TestCase("""{"type":"message","room":"r","seq":12""", TestName = "A truncated frame is not an envelope")]
    [TestCase("FRAME} trailing", TestName = "A frame followed by more bytes is not an envelope")]
    [TestCase("FRAMEFRAME", TestName = "Two frames in one envelope are not an envelope")]
    [TestCase("""{"type":"ack","id":981,"room":"r","seq":12,"user":"a","userId":"42","message":"m","timestamp":"t"}""",
        TestName = "A frame of another type is not an envelope")]
    [TestCase("""{"type":"message","id":981,"room":"r","seq":12,"user":"a","userId":"42","timestamp":"t"}""",
        TestName = "A message frame without its text is not an envelope")]
    [TestCase("""{"type":"message","id":981,"room":"r","seq":"12","user":"a","userId":"42","message":"m","timestamp":"t"}""",
        TestName = "A message frame whose seq is a string is not an envelope")]
    [TestCase("""{"type":"message","id":981,"room":"r","seq":12,"user":"a","userId":"42","message":{"html":"<b>"},"timestamp":"t"}""",
        TestName = "A message frame whose text is an object is not an envelope")]
    [TestCase("""{"type":"message","id":981,"room":"r","seq":12,"user":"a","userId":"42","message":"m","timestamp":"t","room":"x"}""",
        TestName = "A message frame naming its room twice is not an envelope")]
    [TestCase("""{"type":"message","id":981,"room":"r","seq":12,"user":"a","userId":"42","message":"m","timestamp":"t","clientMsgId":7}""",
        TestName = "A message frame whose clientMsgId is not a string is not an envelope")]
    [TestCase("""{"type":"message","id":981,"room":"r","seq":12,"user":"a","userId":"42","message":"m","timestamp":"t",/*c*/"x":1}""",
        TestName = "A message frame with a comment is not an envelope")]
    public void Bytes_that_are_not_one_message_frame_of_the_room_are_not_an_envelope(string frame)
    {
        var text = frame.Replace("FRAME", Frame, StringComparison.Ordinal);

        Assert.That(BusEnvelope.TryDecode(Envelope(12, text), "r", out _, out _), Is.False);
    }

    [Test]
    public void A_message_frame_whose_text_is_not_valid_UTF_8_is_not_an_envelope()
    {
        var frame = ServerFrames.Message(Message with { Content = "é" }); // C3 A9, the only non-ASCII bytes
        frame[Array.IndexOf(frame, (byte)0xC3) + 1] = (byte)'!'; // C3 21: a sequence cut short

        Assert.That(BusEnvelope.TryDecode([.. Header(12), .. frame], "r", out _, out _), Is.False);
    }

    [Test]
    public void A_message_frame_with_fields_this_version_does_not_know_is_an_envelope_for_rolling_upgrades()
    {
        var newer = Frame.Replace("\"seq\":12,", "\"seq\":12,\"edited\":{\"at\":[1,2]},\"pinned\":true,", StringComparison.Ordinal);
        var escaped = Frame.Replace("\"room\":\"r\"", "\"room\":\"\\u0072\"", StringComparison.Ordinal);

        Assert.That(BusEnvelope.TryDecode(Envelope(12, newer), "r", out var seq, out _), Is.True);
        Assert.That(seq, Is.EqualTo(12));
        Assert.That(BusEnvelope.TryDecode(Envelope(12, escaped), "r", out _, out _), Is.True, "the room as JSON escapes");
        Assert.That(BusEnvelope.TryDecode(BusEnvelope.Create(Message with { ClientMsgId = null }), "r", out _, out _), Is.True,
            "clientMsgId is optional");
    }

    private static byte[] Envelope(long seq, string frame) => [.. Header(seq), .. Encoding.UTF8.GetBytes(frame)];

    private static byte[] Header(long seq)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, seq);
        return header;
    }
}
