using System.Text;
using FsCheck;
using FsCheck.Fluent;
using RawChat.Core.Protocol;
using RawChat.Tests.Support;
using static RawChat.Tests.Faults.FrontDoorFuzz.JsonGen;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>
/// The steps of a session that must leave its connection open. Tagged steps carry a
/// <c>clientMsgId</c> unique to the session and say which answer PROTOCOL §2 promises them;
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
        (20, Free("random JSON value", Value)),
        (24, Free("object of known keys", KnownKeysObject)),
        (10, Free("deep nesting", DeepNesting)),
        (12, Free("garbage text", Garbage)),
        (8, Free("random bytes as UTF-8", RandomUtf8)),
        (12, Free("valid request", ValidRequest)),
        (6, Free("unpaired surrogate or U+0000", SurrogateFrame)),
        (2, Free("U+0000 in clientMsgId", NulClientMsgId)),
        (12, Control));

    private static Gen<string> ValidPost(string tag) =>
        from text in Text
        from form in Gen.Choose(0, 2)
        from extra in ShallowValue
        from json in form switch
        {
            0 => ShuffledObject(("\"type\"", "\"send\""), ("\"message\"", Quote(text)), ("\"clientMsgId\"", Quote(tag))),
            1 => ShuffledObject(("\"message\"", Quote(text)), ("\"clientMsgId\"", Quote(tag))), // the tutorial form
            _ => ShuffledObject(("\"type\"", "\"send\""), ("\"message\"", Quote(text)), ("\"clientMsgId\"", Quote(tag)), ("\"extra\"", extra)),
        }
        select json;

    /// <summary>A well-formed frame of any type, then one known key with a wrong type or an out-of-range value.</summary>
    private static Gen<string> WrongType(string tag) =>
        from type in Gen.Elements(Types)
        from key in Gen.Elements(KnownKeys.Where(k => k != "clientMsgId").ToArray())
        from wrong in WrongValue(key)
        from text in Text
        from duplicate in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        let fields = new Dictionary<string, string> { ["\"type\""] = Quote(type), ["\"message\""] = Quote(text), ["\"room\""] = Quote(PoolRooms[0]) }
        from json in duplicate
            ? ShuffledObject([.. fields.Select(f => (f.Key, f.Value)), ("\"clientMsgId\"", Quote(tag)), ("\"type\"", Quote(type))])
            : ShuffledObject([.. fields.Where(f => f.Key != $"\"{key}\"").Select(f => (f.Key, f.Value)), ("\"clientMsgId\"", Quote(tag)), (Quote(key), wrong)])
        select json;

    private static Gen<string> UnknownType(string tag) =>
        from type in Gen.Elements("dance", "", "SEND", "Send", " send", "send ", "pong", "ack", "error", "message", "\\u0000", "join\\u0000", "hist\\u00f6ry")
        from withMessage in Gen.Elements(false, true)
        from text in Text
        select withMessage
            ? $"{{\"type\":\"{type}\",\"message\":{Quote(text)},\"clientMsgId\":{Quote(tag)}}}"
            : $"{{\"clientMsgId\":{Quote(tag)},\"type\":\"{type}\"}}";

    private static Gen<string> BlankPost(string tag) =>
        from blank in Gen.Elements(Blanks)
        from typed in Gen.Elements(false, true)
        select typed
            ? $"{{\"type\":\"send\",\"message\":\"{blank}\",\"clientMsgId\":{Quote(tag)}}}"
            : $"{{\"message\":\"{blank}\",\"clientMsgId\":{Quote(tag)}}}";

    /// <summary>4,001 to 5,000 code points of one- to three-byte characters: over the text limit, under the frame limit.</summary>
    private static Gen<string> LongPost(string tag) =>
        from length in Gen.Choose(4001, 5000)
        from c in Gen.Elements("a", "\u00e9", "\u65e5", " x")
        select $"{{\"type\":\"send\",\"clientMsgId\":{Quote(tag)},\"message\":\"{string.Concat(Enumerable.Repeat(c, length / c.Length))}{(length % c.Length == 1 ? "y" : "")}\"}}";

    private static Gen<string> InvalidRoomFrame(string tag) =>
        from type in Gen.Elements(Types.Where(t => t != "ping").ToArray())
        from room in Gen.Elements(InvalidRooms)
        from text in Text
        select $"{{\"type\":\"{type}\",\"room\":{room},\"message\":{Quote(text)},\"clientMsgId\":{Quote(tag)}}}";

    /// <summary>A room no session ever joins (posting, leaving, presence and typing there need a join).</summary>
    private static Gen<string> NotJoinedFrame(string tag) =>
        from type in Gen.Elements("send", "leave", "presence", "typing")
        from text in Text
        select $"{{\"type\":\"{type}\",\"room\":\"never-joined-{tag}\",\"message\":{Quote(text)},\"clientMsgId\":{Quote(tag)}}}";

    private static Gen<string> NulPost(string tag) =>
        from before in Text
        from after in Gen.Elements("", "x", "\\u0000")
        select $"{{\"type\":\"send\",\"message\":\"{before}\\u0000{after}\",\"clientMsgId\":{Quote(tag)}}}";

    /// <summary>PROTOCOL §3.5 says <c>invalid_frame</c>; §1 says <c>invalid_room</c> for a name outside the pattern: either.</summary>
    private static Gen<string> NulRoom(string tag) =>
        from type in Gen.Elements(Types.Where(t => t != "ping").ToArray())
        from room in Gen.Elements("\\u0000", "lobby\\u0000", "\\u0000x")
        select $"{{\"type\":\"{type}\",\"room\":\"{room}\",\"message\":\"hi\",\"clientMsgId\":{Quote(tag)}}}";

    /// <summary>An unknown type with a nested value well inside the parser's MaxDepth of 32.</summary>
    private static Gen<string> NestedUnknown(string tag) =>
        from depth in Gen.Choose(1, 24)
        select $"{{\"type\":\"nest\",\"clientMsgId\":{Quote(tag)},\"deep\":{new string('[', depth)}{new string(']', depth)}}}";

    /// <summary>A valid post padded with white space to exactly the 16,384-byte limit (PROTOCOL §3.5).</summary>
    private static Gen<string> PostAtLimit(string tag) =>
        from text in Text
        let head = $"{{\"type\":\"send\",\"message\":{Quote(text)},\"clientMsgId\":{Quote(tag)}"
        select head + new string(' ', MaxMessageBytes - Encoding.UTF8.GetByteCount(head) - 1) + "}";

    private static Gen<string> KnownKeysObject =>
        from n in Gen.Choose(0, 6)
        from keys in Gen.ListOf(Key, n)
        from values in Gen.CollectToArray(keys, key => KnownKeys.Contains(key.Trim('"'))
            ? Gen.Frequency((3, RightValue(key.Trim('"'))), (1, WrongValue(key.Trim('"'))), (1, ShallowValue))
            : ShallowValue)
        from json in Object([.. keys.Zip(values)])
        select json;

    /// <summary>Arrays and objects nested 1 to 400 deep (the parser's MaxDepth is 32), closed or not, bare or inside a frame.</summary>
    private static Gen<string> DeepNesting =>
        from depth in Gen.Frequency((2, Gen.Choose(1, 40)), (1, Gen.Choose(28, 36)), (1, Gen.Choose(40, 400)))
        from shape in Gen.Elements("[", "{\"a\":", "[{\"k\":", "{\"type\":\"ping\",\"x\":[")
        from closed in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        from wrapped in Gen.Elements(false, true)
        let open = string.Concat(Enumerable.Repeat(shape, depth))
        let close = string.Concat(Enumerable.Repeat(Closing(shape), depth))
        let body = open + "1" + (closed ? close : "")
        select wrapped ? $"{{\"type\":\"send\",\"message\":\"hi\",\"extra\":{body}}}" : body;

    private static Gen<string> Garbage => Gen.OneOf(
        Gen.Elements("", " ", "{", "}", "[]", "{}", "null", "\"send\"", "42", "{\"type\"}", "{\"type\":}", "{type:\"ping\"}",
            "{'type':'ping'}", "{\"type\":\"ping\",}", "{\"type\":\"ping\"} {}", "{\"type\":\"ping\"}x", "\uFEFF{\"type\":\"ping\"}",
            "{\"message\":\"\\x41\"}", "{\"message\":\"\\u12\"}", "{\"message\":\"a\u0001b\"}", "{\"message\":\"tab\there\"}",
            "{\"since\":01}", "{\"since\":+1}", "{\"since\":.5}", "{\"since\":1.}", "{\"since\":NaN}", "{\"since\":Infinity}",
            "{\"since\":0x10}", "{\"since\":1e}", "{\"since\":-}", "{\"message\":\"unterminated}", "/* comment */{}", "[1,2,]"),
        from text in Text select text, // not JSON at all
        from json in ValidPost("c-cut")
        from cut in Gen.Choose(0, json.Length - 1)
        select json[..cut]); // truncated

    private static Gen<string> ValidRequest => Gen.OneOf(
        Gen.Constant("{\"type\":\"ping\"}"),
        from room in Gen.Elements(PoolRooms) from since in Gen.Elements("", ",\"since\":0", ",\"since\":3", ",\"since\":999999")
        select $"{{\"type\":\"join\",\"room\":\"{room}\"{since}}}",
        from room in Gen.Elements(PoolRooms) select $"{{\"type\":\"leave\",\"room\":\"{room}\"}}",
        from limit in Gen.Choose(1, 200) from before in Gen.Elements("", ",\"before\":1", ",\"before\":9223372036854775807")
        select $"{{\"type\":\"history\",\"limit\":{limit}{before}}}",
        from subscribe in Gen.Elements("", ",\"subscribe\":true", ",\"subscribe\":false") select $"{{\"type\":\"presence\"{subscribe}}}",
        Gen.Constant("{\"type\":\"typing\"}"),
        from text in Text from room in Gen.Elements(PoolRooms)
        select $"{{\"type\":\"send\",\"room\":\"{room}\",\"message\":{Quote(text)}}}",
        from text in Text select $"{{\"message\":{Quote(text)}}}");

    private static Gen<string> SurrogateFrame =>
        from key in Gen.Elements("message", "room", "clientMsgId", "type")
        from text in HostileText
        from tagged in Gen.Elements(false, true)
        select $"{{\"type\":\"send\",\"message\":\"hi\",\"{key}\":\"{text}\"{(tagged && key != "clientMsgId" ? ",\"clientMsgId\":\"c-3\"" : "")}}}";

    /// <summary>A post whose clientMsgId holds U+0000 (PROTOCOL §3.5: <c>invalid_frame</c>; it is not echoed, so not tagged).</summary>
    private static Gen<string> NulClientMsgId =>
        from text in Text
        from id in Gen.Elements("\\u0000", "c\\u0000", "\\u0000\\u0000d")
        select $"{{\"type\":\"send\",\"message\":{Quote(text)},\"clientMsgId\":\"{id}\"}}";

    /// <summary>Random bytes made UTF-8 (each invalid sequence becomes U+FFFD): the connection must survive them.</summary>
    private static Gen<byte[]> RandomUtf8 =>
        from seed in Gen.Choose(0, int.MaxValue)
        from length in Gen.Choose(0, 300)
        select Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Bytes(seed, length)));

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
        from tag in Tag
        from json in frame(tag)
        from step in Message(kind, Opcode.Text, Encoding.UTF8.GetBytes(json), new Expected(tag, codes))
        select step;

    private static Gen<Step> Free(string kind, Gen<string> json) => Free(kind, json.Select(Encoding.UTF8.GetBytes));

    private static Gen<Step> Free(string kind, Gen<byte[]> payload) =>
        payload.SelectMany(bytes => Message(kind, Opcode.Text, bytes));

    private static string Closing(string shape) => shape switch
    {
        "[" => "]",
        "{\"a\":" => "}",
        "[{\"k\":" => "}]",
        _ => "]}",
    };
}
