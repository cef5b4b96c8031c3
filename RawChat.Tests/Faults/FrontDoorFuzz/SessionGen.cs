using System.Text;
using FsCheck;
using FsCheck.Fluent;
using RawChat.Tests.Support;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>
/// Sessions (150 to 300 steps, about one in three with an ending that closes the connection)
/// and the waves of sessions that run at once. Each ending says the close docs/protocol.md §2.3 (or,
/// for broken framing, RFC 6455 §7.4.1 via the runtime's 1002) promises for it.
/// </summary>
internal static class SessionGen
{
    public const int SessionsPerWave = 4;

    public static Gen<Wave> Waves =>
        Gen.ArrayOf(Sessions, SessionsPerWave).Select(sessions => new Wave(sessions));

    public static Gen<Session> Sessions =>
        from count in Gen.Choose(150, 300)
        from steps in Gen.ArrayOf(StepGen.Any, count)
        from end in Gen.Frequency((2, Gen.Constant<Ending?>(null)), (1, Endings.Select(e => (Ending?)e)))
        select new Session(steps, end);

    public static Gen<Ending> Endings => Gen.Frequency(
        (4, InvalidUtf8),
        (3, Binary),
        (2, TooBig),
        (2, ClientClose),
        (4, ProtocolError));

    /// <summary>A text message that is not UTF-8: 1007 <c>invalid_utf8</c>, however it is cut.</summary>
    private static Gen<Ending> InvalidUtf8 =>
        from text in JsonGen.Text
        from bad in Gen.Elements<byte[]>(
            [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xC3, 0x28], [0xE2, 0x82, 0x28], [0xF0, 0x9F, 0x98])
        from atEnd in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        let head = Encoding.UTF8.GetBytes($"{{\"type\":\"send\",\"message\":\"{text}")
        let payload = atEnd ? [.. head, .. bad] : (byte[])[.. head, .. bad, .. "\"}"u8]
        from step in StepGen.Message("invalid UTF-8", Opcode.Text, payload)
        select FromStep("invalid UTF-8", step, 1007, "invalid_utf8");

    /// <summary>A binary message, whole or in fragments: 1003 <c>binary_not_supported</c>.</summary>
    private static Gen<Ending> Binary =>
        from seed in Gen.Choose(0, int.MaxValue)
        from length in Gen.Choose(0, 200)
        from json in Gen.Elements(false, true)
        let payload = json ? "{\"type\":\"ping\"}"u8.ToArray() : StepGen.Bytes(seed, length)
        from step in StepGen.Message("binary", Opcode.Binary, payload)
        select FromStep("binary", step, 1003, "binary_not_supported");

    /// <summary>Valid UTF-8 JSON of 16,385 bytes or more, whole or in fragments: 1009 <c>message_too_big</c>.</summary>
    private static Gen<Ending> TooBig =>
        from size in Gen.Frequency((2, Gen.Constant(StepGen.MaxMessageBytes + 1)), (3, Gen.Choose(StepGen.MaxMessageBytes + 2, 70_000)))
        let head = "{\"type\":\"send\",\"message\":\"big\""
        let payload = Encoding.UTF8.GetBytes(head + new string(' ', size - head.Length - 1) + "}")
        from step in StepGen.Message("too big", Opcode.Text, payload)
        select FromStep("too big", step, 1009, "message_too_big");

    /// <summary>The client closes (with any valid code, or none; also in the middle of a message): the server answers 1000.</summary>
    private static Gen<Ending> ClientClose =>
        from code in Gen.Elements<ushort>(1000, 1001, 1002, 1003, 1007, 1008, 1011, 3000, 4000, 4999)
        from reason in Gen.Elements("", "bye", "\u00e9t\u00e9 \U0001F642", new string('r', 123))
        from shape in Gen.Choose(0, 2)
        from ping in StepGen.ControlPayload
        let close = shape == 1 ? new RawFrame(Opcode.Close, []) : RawFrame.Close(code, reason)
        select shape == 2
            ? new Ending("close inside a fragmented message", [RawFrame.Text("{\"mess"u8.ToArray(), fin: false), new RawFrame(Opcode.Ping, ping), close], 1000, "")
            : new Ending(shape == 1 ? "close without a code" : "close", [close], 1000, "");

    /// <summary>
    /// Framing that RFC 6455 forbids: the runtime fails the connection with 1002 (any reason; it
    /// sends none). Because the runtime does that from the receive side while the node's send loop
    /// may be sending, a reset may overtake its close frame and answers may follow it: both are
    /// tolerated for these endings only (FuzzRunner); any other close code fails the test.
    /// </summary>
    private static Gen<Ending> ProtocolError => Gen.OneOf(
        from opcode in Gen.Elements<byte>(3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF)
        select Broken("reserved opcode", new RawFrame(opcode, "{}"u8.ToArray())),
        from rsv in Gen.Elements<byte>(1, 2, 4, 7)
        from opcode in Gen.Elements(Opcode.Text, Opcode.Ping)
        select Broken("RSV bits without an extension", new RawFrame(opcode, "{\"type\":\"ping\"}"u8.ToArray(), Rsv: rsv)),
        Gen.Constant(Broken("unmasked client frame", new RawFrame(Opcode.Text, "{\"type\":\"ping\"}"u8.ToArray(), Masked: false))),
        Gen.Constant(Broken("fragmented ping", new RawFrame(Opcode.Ping, "x"u8.ToArray(), Fin: false))),
        from opcode in Gen.Elements(Opcode.Ping, Opcode.Pong, Opcode.Close)
        from length in Gen.Choose(126, 300)
        select Broken("control frame over 125 bytes", new RawFrame(opcode, [0x03, 0xE8, .. new byte[length - 2]])),
        Gen.Constant(Broken("continuation without a message", new RawFrame(Opcode.Continuation, "{}"u8.ToArray()))),
        from opcode in Gen.Elements(Opcode.Text, Opcode.Binary)
        select Broken("new message inside a fragmented one", RawFrame.Text("{\"ty"u8.ToArray(), fin: false),
            new RawFrame(opcode, "pe\":\"ping\"}"u8.ToArray())),
        Gen.Constant(Broken("close with a 1-byte payload", new RawFrame(Opcode.Close, [0x03]))),
        from code in Gen.Elements<ushort>(0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535)
        select Broken("close with an invalid code", RawFrame.Close(code, "bad")),
        from length in Gen.Elements(0x8000_0000_0000_0000UL, ulong.MaxValue, 0x8000_0000_0000_0010UL)
        select Broken("64-bit length with the top bit set", new RawFrame(Opcode.Text, [], DeclaredLength: length)));

    private static Ending FromStep(string kind, Step step, int code, string reason) => new(kind, [.. step.Frames()], code, reason);

    private static Ending Broken(string kind, params RawFrame[] frames) => new(kind, frames, 1002, null);
}
