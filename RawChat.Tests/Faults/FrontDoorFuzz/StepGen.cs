using System.Text;
using FsCheck;
using FsCheck.Fluent;
using RawChat.Core.Protocol;
using RawChat.Tests.Support;
using static RawChat.Tests.Faults.FrontDoorFuzz.FreeFrames;
using static RawChat.Tests.Faults.FrontDoorFuzz.TaggedFrames;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>
/// The steps of a session that must leave its connection open. Tagged steps carry a
/// <c>clientMsgId</c> unique to the session and say which answer docs/protocol.md §2 promises them;
/// the others may earn any answer the protocol knows.
/// </summary>
internal static class StepGen
{
    public const int MaxMessageBytes = 16 * 1024;

    public static readonly Gen<Step> Any = Gen.Frequency(
        // Tagged: the answer is known.
        (24, Tagged("valid post", ValidPost)),
        (20, Tagged("wrong type", WrongType, ErrorCodes.InvalidFrame)),
        (8, Tagged("unknown type", UnknownType, ErrorCodes.UnknownType)),
        (6, Tagged("blank message", BlankPost, ErrorCodes.MessageEmpty)),
        (2, Tagged("message too long", LongPost, ErrorCodes.MessageTooLong)),
        (10, Tagged("invalid room", InvalidRoomFrame, ErrorCodes.InvalidRoom)),
        (8, Tagged("not joined", NotJoinedFrame, ErrorCodes.NotJoined)),
        (4, Tagged("U+0000 in message", NulPost, ErrorCodes.InvalidFrame)),
        (2, Tagged("U+0000 in room", NulRoom, ErrorCodes.InvalidRoom, ErrorCodes.InvalidFrame)),
        (4, Tagged("nested but within MaxDepth", NestedUnknown, ErrorCodes.UnknownType)),
        (1, Tagged("post of exactly 16 KiB", PostAtLimit)),
        // Free: any answer the protocol knows.
        (20, Free("random JSON value", JsonGen.Value)),
        (24, Free("object of known keys", KnownKeysObject)),
        (10, Free("deep nesting", DeepNesting)),
        (12, Free("garbage text", Garbage)),
        (8, Free("random bytes as UTF-8", RandomUtf8)),
        (12, Free("valid request", ValidRequest)),
        (6, Free("unpaired surrogate or U+0000", SurrogateFrame)),
        (2, Free("U+0000 in clientMsgId", NulClientMsgId)),
        (12, Control));

    /// <summary>A lone ping (which the runtime answers with a pong of the same payload) or an unsolicited pong.</summary>
    public static Gen<Step> Control =>
        from ping in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from payload in ControlPayload
        select Step.Control(ping ? "ping" : "unsolicited pong", ping ? Opcode.Ping : Opcode.Pong, payload);

    public static Gen<byte[]> ControlPayload =>
        from seed in Gen.Choose(0, int.MaxValue)
        from length in Gen.Frequency((3, Gen.Choose(0, 8)), (1, Gen.Choose(0, 125)))
        select Bytes(seed, length);

    /// <summary>The message whole, or (one time in four) cut into up to six fragments with pings and pongs between.</summary>
    public static Gen<Step> Message(string kind, byte opcode, byte[] payload, Expected? expect = null) =>
        Gen.Frequency(
            (3, Gen.Constant(new Step(kind, opcode, payload, [], [], expect))),
            (1, from cuts in Gen.Choose(1, 5).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, payload.Length), n))
                from between in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Between(cuts.Length), n))
                select new Step(kind, opcode, payload, [.. cuts.Order()], between, expect)));

    public static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Gen<Interleaved> Between(int cuts) =>
        from after in Gen.Choose(0, cuts - 1)
        from control in Control
        select new Interleaved(after, new RawFrame(control.Opcode, control.Payload));

    private static Gen<Step> Tagged(string kind, Func<string, Gen<string>> frame, params string[] codes) =>
        from tag in JsonGen.Tag
        from json in frame(tag)
        from step in Message(kind, Opcode.Text, Encoding.UTF8.GetBytes(json), new Expected(tag, codes))
        select step;

    private static Gen<Step> Free(string kind, Gen<string> json) => Free(kind, json.Select(Encoding.UTF8.GetBytes));

    private static Gen<Step> Free(string kind, Gen<byte[]> payload) =>
        payload.SelectMany(bytes => Message(kind, Opcode.Text, bytes));
}
