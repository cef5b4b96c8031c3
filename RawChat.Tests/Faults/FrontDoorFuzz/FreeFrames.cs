using System.Text;
using FsCheck;
using FsCheck.Fluent;
using static RawChat.Tests.Faults.FrontDoorFuzz.JsonGen;

namespace RawChat.Tests.Faults.FrontDoorFuzz;

/// <summary>Frames that may earn any answer the protocol knows (or several, or none).</summary>
internal static class FreeFrames
{
    public static Gen<string> KnownKeysObject =>
        from n in Gen.Choose(0, 6)
        from keys in Gen.ListOf(Key, n)
        from values in Gen.CollectToArray(keys, key => KnownKeys.Contains(key.Trim('"'))
            ? Gen.Frequency((3, RightValue(key.Trim('"'))), (1, WrongValue(key.Trim('"'))), (1, ShallowValue))
            : ShallowValue)
        from json in Object([.. keys.Zip(values)])
        select json;

    /// <summary>Arrays and objects nested 1 to 400 deep (the parser's MaxDepth is 32), closed or not, bare or inside a frame.</summary>
    public static Gen<string> DeepNesting =>
        from depth in Gen.Frequency((2, Gen.Choose(1, 40)), (1, Gen.Choose(28, 36)), (1, Gen.Choose(40, 400)))
        from shape in Gen.Elements("[", "{\"a\":", "[{\"k\":", "{\"type\":\"ping\",\"x\":[")
        from closed in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false)))
        from wrapped in Gen.Elements(false, true)
        let open = string.Concat(Enumerable.Repeat(shape, depth))
        let close = string.Concat(Enumerable.Repeat(Closing(shape), depth))
        let body = open + "1" + (closed ? close : "")
        select wrapped ? $"{{\"type\":\"send\",\"message\":\"hi\",\"extra\":{body}}}" : body;

    public static Gen<string> Garbage => Gen.OneOf(
        Gen.Elements("", " ", "{", "}", "[]", "{}", "null", "\"send\"", "42", "{\"type\"}", "{\"type\":}", "{type:\"ping\"}",
            "{'type':'ping'}", "{\"type\":\"ping\",}", "{\"type\":\"ping\"} {}", "{\"type\":\"ping\"}x", "\uFEFF{\"type\":\"ping\"}",
            "{\"message\":\"\\x41\"}", "{\"message\":\"\\u12\"}", "{\"message\":\"a\u0001b\"}", "{\"message\":\"tab\there\"}",
            "{\"since\":01}", "{\"since\":+1}", "{\"since\":.5}", "{\"since\":1.}", "{\"since\":NaN}", "{\"since\":Infinity}",
            "{\"since\":0x10}", "{\"since\":1e}", "{\"since\":-}", "{\"message\":\"unterminated}", "/* comment */{}", "[1,2,]"),
        from text in Text select text, // not JSON at all
        from json in TaggedFrames.ValidPost("c-cut")
        from cut in Gen.Choose(0, json.Length - 1)
        select json[..cut]); // truncated

    public static Gen<string> ValidRequest => Gen.OneOf(
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

    public static Gen<string> SurrogateFrame =>
        from key in Gen.Elements("message", "room", "clientMsgId", "type")
        from text in HostileText
        from tagged in Gen.Elements(false, true)
        select $"{{\"type\":\"send\",\"message\":\"hi\",\"{key}\":\"{text}\"{(tagged && key != "clientMsgId" ? ",\"clientMsgId\":\"c-3\"" : "")}}}";

    /// <summary>A post whose clientMsgId holds U+0000 (docs/protocol.md §3.5: <c>invalid_frame</c>; it is not echoed, so not tagged).</summary>
    public static Gen<string> NulClientMsgId =>
        from text in Text
        from id in Gen.Elements("\\u0000", "c\\u0000", "\\u0000\\u0000d")
        select $"{{\"type\":\"send\",\"message\":{Quote(text)},\"clientMsgId\":\"{id}\"}}";

    /// <summary>Random bytes made UTF-8 (each invalid sequence becomes U+FFFD): the connection must survive them.</summary>
    public static Gen<byte[]> RandomUtf8 =>
        from seed in Gen.Choose(0, int.MaxValue)
        from length in Gen.Choose(0, 300)
        select Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(StepGen.Bytes(seed, length)));


    private static string Closing(string shape) => shape switch
    {
        "[" => "]",
        "{\"a\":" => "}",
        "[{\"k\":" => "}]",
        _ => "]}",
    };
}
