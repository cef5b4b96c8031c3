using System.Text;
using FsCheck;
using FsCheck.Fluent;
using static RawChat.Tests.Faults.FrontDoorFuzz.JsonGen;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>
/// Frames whose answer docs/protocol.md §2 fixes, each built around a tag (a <c>clientMsgId</c> unique
/// to its session) that the ack or error must echo.
/// </summary>
internal static class TaggedFrames
{
    public static Gen<string> ValidPost(string tag) =>
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
    public static Gen<string> WrongType(string tag) =>
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

    public static Gen<string> UnknownType(string tag) =>
        from type in Gen.Elements("dance", "", "SEND", "Send", " send", "send ", "pong", "ack", "error", "message", "\\u0000", "join\\u0000", "hist\\u00f6ry")
        from withMessage in Gen.Elements(false, true)
        from text in Text
        select withMessage
            ? $"{{\"type\":\"{type}\",\"message\":{Quote(text)},\"clientMsgId\":{Quote(tag)}}}"
            : $"{{\"clientMsgId\":{Quote(tag)},\"type\":\"{type}\"}}";

    public static Gen<string> BlankPost(string tag) =>
        from blank in Gen.Elements(Blanks)
        from typed in Gen.Elements(false, true)
        select typed
            ? $"{{\"type\":\"send\",\"message\":\"{blank}\",\"clientMsgId\":{Quote(tag)}}}"
            : $"{{\"message\":\"{blank}\",\"clientMsgId\":{Quote(tag)}}}";

    /// <summary>4,001 to 5,000 code points of one- to three-byte characters: over the text limit, under the frame limit.</summary>
    public static Gen<string> LongPost(string tag) =>
        from length in Gen.Choose(4001, 5000)
        from c in Gen.Elements("a", "\u00e9", "\u65e5", " x")
        select $"{{\"type\":\"send\",\"clientMsgId\":{Quote(tag)},\"message\":\"{string.Concat(Enumerable.Repeat(c, length / c.Length))}{(length % c.Length == 1 ? "y" : "")}\"}}";

    public static Gen<string> InvalidRoomFrame(string tag) =>
        from type in Gen.Elements(Types.Where(t => t != "ping").ToArray())
        from room in Gen.Elements(InvalidRooms)
        from text in Text
        select $"{{\"type\":\"{type}\",\"room\":{room},\"message\":{Quote(text)},\"clientMsgId\":{Quote(tag)}}}";

    /// <summary>A room no session ever joins (posting, leaving, presence and typing there need a join).</summary>
    public static Gen<string> NotJoinedFrame(string tag) =>
        from type in Gen.Elements("send", "leave", "presence", "typing")
        from text in Text
        select $"{{\"type\":\"{type}\",\"room\":\"never-joined-{tag}\",\"message\":{Quote(text)},\"clientMsgId\":{Quote(tag)}}}";

    public static Gen<string> NulPost(string tag) =>
        from before in Text
        from after in Gen.Elements("", "x", "\\u0000")
        select $"{{\"type\":\"send\",\"message\":\"{before}\\u0000{after}\",\"clientMsgId\":{Quote(tag)}}}";

    /// <summary>docs/protocol.md §3.5 says <c>invalid_frame</c>; §1 says <c>invalid_room</c> for a name outside the pattern: either.</summary>
    public static Gen<string> NulRoom(string tag) =>
        from type in Gen.Elements(Types.Where(t => t != "ping").ToArray())
        from room in Gen.Elements("\\u0000", "lobby\\u0000", "\\u0000x")
        select $"{{\"type\":\"{type}\",\"room\":\"{room}\",\"message\":\"hi\",\"clientMsgId\":{Quote(tag)}}}";

    /// <summary>An unknown type with a nested value well inside the parser's MaxDepth of 32.</summary>
    public static Gen<string> NestedUnknown(string tag) =>
        from depth in Gen.Choose(1, 24)
        select $"{{\"type\":\"nest\",\"clientMsgId\":{Quote(tag)},\"deep\":{new string('[', depth)}{new string(']', depth)}}}";

    /// <summary>A valid post padded with white space to exactly the 16,384-byte limit (docs/protocol.md §3.5).</summary>
    public static Gen<string> PostAtLimit(string tag) =>
        from text in Text
        let head = $"{{\"type\":\"send\",\"message\":{Quote(text)},\"clientMsgId\":{Quote(tag)}"
        select head + new string(' ', StepGen.MaxMessageBytes - Encoding.UTF8.GetByteCount(head) - 1) + "}";
}
