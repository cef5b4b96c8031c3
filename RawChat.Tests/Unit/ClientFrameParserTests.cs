using System.Text;
using NUnit.Framework;
using RawChat.Core.Protocol;

namespace RawChat.Tests.Unit;

/// <summary>The shape checks of docs/protocol.md §2.1: what parses, and which error code every bad frame earns.</summary>
public sealed class ClientFrameParserTests
{
    private static readonly string Emoji = "\U0001F600";

    [Test]
    public void Tutorial_form_is_a_send_to_the_default_room()
    {
        var frame = ParseOk("""{"message": "hi"}""");

        Assert.That(frame, Is.EqualTo(new ClientFrame(ClientFrameType.Send, Message: "hi")));
    }

    [Test]
    public void Send_frame_carries_room_message_and_client_msg_id()
    {
        var frame = ParseOk("""{"type": "send", "room": "r", "message": "hi", "clientMsgId": "c-1"}""");

        Assert.That(frame, Is.EqualTo(new ClientFrame(ClientFrameType.Send, Room: "r", Message: "hi", ClientMsgId: "c-1")));
    }

    [Test]
    public void Join_frame_carries_room_and_since()
    {
        var frame = ParseOk("""{"type": "join", "room": "r", "since": 12}""");

        Assert.That(frame, Is.EqualTo(new ClientFrame(ClientFrameType.Join, Room: "r", Since: 12)));
    }

    [Test]
    public void Leave_frame_carries_room()
    {
        Assert.That(ParseOk("""{"type": "leave", "room": "r"}"""), Is.EqualTo(new ClientFrame(ClientFrameType.Leave, Room: "r")));
    }

    [Test]
    public void History_frame_carries_room_before_and_limit()
    {
        var frame = ParseOk("""{"type": "history", "room": "r", "before": 120, "limit": 50}""");

        Assert.That(frame, Is.EqualTo(new ClientFrame(ClientFrameType.History, Room: "r", Before: 120, Limit: 50)));
    }

    [Test]
    public void History_frame_may_omit_room_before_and_limit()
    {
        Assert.That(ParseOk("""{"type": "history"}"""), Is.EqualTo(new ClientFrame(ClientFrameType.History)));
    }

    [Test]
    public void Ping_frame_parses()
    {
        Assert.That(ParseOk("""{"type":"ping"}"""), Is.EqualTo(new ClientFrame(ClientFrameType.Ping)));
    }

    [Test]
    public void Unknown_properties_are_ignored_whatever_their_value()
    {
        var frame = ParseOk("""{"type": "ping", "extra": {"a": [1, 2, {"b": null}]}, "n": 3.5, "z": null}""");

        Assert.That(frame.Type, Is.EqualTo(ClientFrameType.Ping));
    }

    [Test]
    public void Escaped_property_names_are_read_as_their_unescaped_names()
    {
        var frame = ParseOk("""{"typ\u0065": "send", "m\u0065ssage": "hi"}""");

        Assert.That(frame, Is.EqualTo(new ClientFrame(ClientFrameType.Send, Message: "hi")));
    }

    [Test]
    public void Escaped_string_values_are_unescaped()
    {
        var frame = ParseOk("""{"message": "a\"b\\c\n\u00e9\ud83d\ude00"}""");

        Assert.That(frame.Message, Is.EqualTo("a\"b\\c\n\u00e9" + Emoji));
    }

    [Test]
    public void Surrounding_whitespace_is_allowed()
    {
        Assert.That(ParseOk(" \r\n\t{\"type\":\"ping\"} \n").Type, Is.EqualTo(ClientFrameType.Ping));
    }

    [TestCase("""{"type": "join", "room": "r", "since": 0}""", TestName = "{m}(since 0 is in range)")]
    [TestCase("""{"type": "join", "room": "r", "since": 9223372036854775807}""", TestName = "{m}(since long.MaxValue is in range)")]
    [TestCase("""{"type": "history", "before": 1}""", TestName = "{m}(before 1 is in range)")]
    [TestCase("""{"type": "history", "limit": 1}""", TestName = "{m}(limit 1 is in range)")]
    [TestCase("""{"type": "history", "limit": 200}""", TestName = "{m}(limit 200 is in range)")]
    public void Values_at_the_edges_of_their_ranges_are_accepted(string json)
    {
        Assert.That(Parse(json).ErrorCode, Is.Null);
    }

    [Test]
    public void Client_msg_id_of_64_code_points_is_accepted()
    {
        var id = new string('a', 64);

        Assert.That(ParseOk(Send(id)).ClientMsgId, Is.EqualTo(id));
    }

    [Test]
    public void Client_msg_id_length_is_counted_in_code_points_not_utf16_units()
    {
        var id = string.Concat(Enumerable.Repeat(Emoji, 64)); // 128 UTF-16 units

        Assert.That(ParseOk(Send(id)).ClientMsgId, Is.EqualTo(id));
    }

    [TestCase("nope", TestName = "{m}(a bare word)")]
    [TestCase("""{"type": "send", "message": "trunc""", TestName = "{m}(truncated JSON)")]
    [TestCase("""{"type": "ping",}""", TestName = "{m}(a trailing comma)")]
    [TestCase("""{'type': 'ping'}""", TestName = "{m}(single quotes)")]
    [TestCase("""{"type": "ping"} {"type": "ping"}""", TestName = "{m}(two objects in one frame)")]
    [TestCase("""{"type": "ping"}x""", TestName = "{m}(trailing garbage)")]
    [TestCase("""{"message": "\x"}""", TestName = "{m}(an invalid escape)")]
    [TestCase("", TestName = "{m}(an empty frame)")]
    public void Text_that_is_not_json_is_invalid_json(string text)
    {
        Assert.That(Parse(text), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.InvalidJson)));
    }

    [Test]
    public void Whitespace_only_frame_is_invalid_json()
    {
        Assert.That(Parse(new string(' ', 16 * 1024)).ErrorCode, Is.EqualTo(ErrorCodes.InvalidJson));
    }

    [Test]
    public void Arrays_nested_100_deep_are_invalid_json()
    {
        Assert.That(Parse(new string('[', 100) + new string(']', 100)).ErrorCode, Is.EqualTo(ErrorCodes.InvalidJson));
    }

    [Test]
    public void Objects_nested_100_deep_inside_a_frame_are_invalid_json()
    {
        var nested = string.Concat(Enumerable.Repeat("""{"a":""", 100)) + "1" + new string('}', 100);

        Assert.That(Parse($$"""{"type": "ping", "x": {{nested}}}""").ErrorCode, Is.EqualTo(ErrorCodes.InvalidJson));
    }

    [TestCase("[1]", TestName = "{m}(an array)")]
    [TestCase("\"str\"", TestName = "{m}(a string)")]
    [TestCase("5", TestName = "{m}(a number)")]
    [TestCase("null", TestName = "{m}(null)")]
    [TestCase("true", TestName = "{m}(true)")]
    [TestCase("{}", TestName = "{m}(an empty object)")]
    [TestCase("""{"room": "r"}""", TestName = "{m}(neither type nor message)")]
    [TestCase("""{"type": 5}""", TestName = "{m}(type a number)")]
    [TestCase("""{"type": null}""", TestName = "{m}(type null)")]
    [TestCase("""{"type": ["send"]}""", TestName = "{m}(type an array)")]
    [TestCase("""{"message": 5}""", TestName = "{m}(message a number)")]
    [TestCase("""{"message": null}""", TestName = "{m}(message null)")]
    [TestCase("""{"message": {"text": "hi"}}""", TestName = "{m}(message an object)")]
    [TestCase("""{"type": "send", "room": 5, "message": "hi"}""", TestName = "{m}(room a number)")]
    [TestCase("""{"type": "send", "room": null, "message": "hi"}""", TestName = "{m}(room null)")]
    [TestCase("""{"type": "join", "room": "r", "since": "3"}""", TestName = "{m}(since a string)")]
    [TestCase("""{"type": "join", "room": "r", "since": -1}""", TestName = "{m}(since negative)")]
    [TestCase("""{"type": "join", "room": "r", "since": 1.5}""", TestName = "{m}(since a fraction)")]
    [TestCase("""{"type": "join", "room": "r", "since": null}""", TestName = "{m}(since null)")]
    [TestCase("""{"type": "join", "room": "r", "since": 9223372036854775808}""", TestName = "{m}(since past long.MaxValue)")]
    [TestCase("""{"type": "history", "limit": 0}""", TestName = "{m}(limit 0)")]
    [TestCase("""{"type": "history", "limit": 201}""", TestName = "{m}(limit 201)")]
    [TestCase("""{"type": "history", "limit": -1}""", TestName = "{m}(limit negative)")]
    [TestCase("""{"type": "history", "limit": "50"}""", TestName = "{m}(limit a string)")]
    [TestCase("""{"type": "history", "before": 0}""", TestName = "{m}(before 0)")]
    [TestCase("""{"type": "history", "before": -5}""", TestName = "{m}(before negative)")]
    [TestCase("""{"type": "history", "before": true}""", TestName = "{m}(before a boolean)")]
    [TestCase("""{"type": "send", "message": "hi", "clientMsgId": ""}""", TestName = "{m}(clientMsgId empty)")]
    [TestCase("""{"type": "send", "message": "hi", "clientMsgId": "c\u0000"}""", TestName = "{m}(clientMsgId holding U+0000)")]
    [TestCase("""{"type": "send", "message": "hi", "clientMsgId": "c\ud800"}""", TestName = "{m}(clientMsgId holding a lone high surrogate)")]
    [TestCase("""{"type": "send", "message": "hi", "clientMsgId": "\udc00c"}""", TestName = "{m}(clientMsgId holding a lone low surrogate)")]
    [TestCase("""{"type": "send", "message": "hi", "clientMsgId": 7}""", TestName = "{m}(clientMsgId a number)")]
    [TestCase("""{"type": "send", "message": "hi", "clientMsgId": null}""", TestName = "{m}(clientMsgId null)")]
    [TestCase("""{"type": "send", "message": "a", "message": "b"}""", TestName = "{m}(duplicate message key)")]
    [TestCase("""{"type": "ping", "type": "ping"}""", TestName = "{m}(duplicate type key)")]
    [TestCase("""{"type": "send", "message": "a", "m\u0065ssage": "b"}""", TestName = "{m}(duplicate key spelled with an escape)")]
    [TestCase("""{"type": "send"}""", TestName = "{m}(send without message)")]
    [TestCase("""{"type": "join"}""", TestName = "{m}(join without room)")]
    [TestCase("""{"type": "leave"}""", TestName = "{m}(leave without room)")]
    public void Frame_of_the_wrong_shape_is_invalid_frame(string json)
    {
        Assert.That(Parse(json), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame)));
    }

    [Test]
    public void Client_msg_id_of_65_code_points_is_invalid_frame_and_not_echoed()
    {
        Assert.That(Parse(Send(new string('a', 65))), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame)));
    }

    [Test]
    public void Client_msg_id_of_65_astral_code_points_is_invalid_frame()
    {
        var id = string.Concat(Enumerable.Repeat(Emoji, 65));

        Assert.That(Parse(Send(id)), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame)));
    }

    [Test]
    public void Presence_frame_carries_room_and_subscribe()
    {
        Assert.That(ParseOk("""{"type": "presence", "room": "r"}"""), Is.EqualTo(new ClientFrame(ClientFrameType.Presence, Room: "r")));
        Assert.That(ParseOk("""{"type": "presence", "room": "r", "subscribe": true}"""),
            Is.EqualTo(new ClientFrame(ClientFrameType.Presence, Room: "r", Subscribe: true)));
        Assert.That(ParseOk("""{"type": "presence", "subscribe": false}"""),
            Is.EqualTo(new ClientFrame(ClientFrameType.Presence, Subscribe: false)));
    }

    [Test]
    public void Typing_frame_carries_room()
    {
        Assert.That(ParseOk("""{"type": "typing", "room": "r"}"""), Is.EqualTo(new ClientFrame(ClientFrameType.Typing, Room: "r")));
        Assert.That(ParseOk("""{"type": "typing"}"""), Is.EqualTo(new ClientFrame(ClientFrameType.Typing)));
    }

    [TestCase("""{"type": "presence", "subscribe": "true"}""", TestName = "{m}(a string)")]
    [TestCase("""{"type": "presence", "subscribe": 1}""", TestName = "{m}(a number)")]
    [TestCase("""{"type": "presence", "subscribe": null}""", TestName = "{m}(null)")]
    [TestCase("""{"type": "presence", "subscribe": true, "subscribe": true}""", TestName = "{m}(twice)")]
    [TestCase("""{"type": "typing", "room": ["r"]}""", TestName = "{m}(typing with a room array)")]
    [TestCase("""{"type": "send", "message": "hi", "subscribe": "yes"}""", TestName = "{m}(on another frame type, still checked)")]
    public void Subscribe_that_is_not_a_boolean_is_invalid_frame(string json)
    {
        Assert.That(Parse(json), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame)));
    }

    [TestCase("""{"type": "Presence"}""", TestName = "{m}(types are case-sensitive)")]
    [TestCase("""{"type": "presence-subscribe"}""", TestName = "{m}(presence-subscribe)")]
    [TestCase("""{"type": "typing_start"}""", TestName = "{m}(typing_start)")]
    public void Near_misses_of_the_new_types_are_unknown_type(string json)
    {
        Assert.That(Parse(json), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.UnknownType)));
    }

    [Test]
    public void Hello_carries_the_features_asked_for()
    {
        var parsed = Parse("""{"type": "hello", "features": ["members", "someday"]}""");
        Assert.That(parsed.Frame?.Type, Is.EqualTo(ClientFrameType.Hello));
        Assert.That(parsed.Frame!.Features, Is.EqualTo(new[] { "members", "someday" }));
    }

    [TestCase("""{"type": "hello"}""", TestName = "{m}(no features)")]
    [TestCase("""{"type": "hello", "features": "members"}""", TestName = "{m}(not an array)")]
    [TestCase("""{"type": "hello", "features": [1]}""", TestName = "{m}(not strings)")]
    [TestCase("""{"type": "hello", "features": [""]}""", TestName = "{m}(an empty name)")]
    [TestCase("""{"type": "hello", "features": ["\ud800"]}""", TestName = "{m}(a lone surrogate)")]
    [TestCase("""{"type": "hello", "features": ["abcdefghijklmnopqrstuvwxyz0123456"]}""", TestName = "{m}(33 characters)")]
    [TestCase("""{"type": "hello", "features": ["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]}""", TestName = "{m}(17 features)")]
    [TestCase("""{"type": "hello", "features": ["members"], "features": ["members"]}""", TestName = "{m}(duplicate keys)")]
    public void Hello_with_bad_features_is_invalid_frame(string json)
    {
        Assert.That(Parse(json), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame)));
    }

    [Test]
    public void A_features_field_on_another_frame_is_ignored_as_before_hello_existed()
    {
        var parsed = Parse("""{"message": "hi", "features": 5}""");
        Assert.That(parsed.Frame?.Type, Is.EqualTo(ClientFrameType.Send));
    }

    [TestCase("""{"type": "send", "message": 5, "clientMsgId": "c-9"}""", TestName = "{m}(wrong message type)")]
    [TestCase("""{"type": "send", "room": 5, "message": "hi", "clientMsgId": "c-9"}""", TestName = "{m}(wrong room type)")]
    [TestCase("""{"clientMsgId": "c-9"}""", TestName = "{m}(neither type nor message)")]
    [TestCase("""{"type": "send", "clientMsgId": "c-9"}""", TestName = "{m}(send without message)")]
    [TestCase("""{"clientMsgId": "c-9", "type": "send", "message": "a", "message": "b"}""", TestName = "{m}(duplicate keys)")]
    public void Invalid_frame_echoes_a_valid_client_msg_id(string json)
    {
        Assert.That(Parse(json), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.InvalidFrame, "c-9")));
    }

    [TestCase("""{"type": "dance"}""", null, TestName = "{m}(dance)")]
    [TestCase("""{"type": ""}""", null, TestName = "{m}(empty type)")]
    [TestCase("""{"type": "dance", "clientMsgId": "c-7"}""", "c-7", TestName = "{m}(dance with a clientMsgId)")]
    [TestCase("""{"type": "dance", "message": "hi"}""", null, TestName = "{m}(dance with a message)")]
    public void Frame_of_an_unknown_type_is_unknown_type(string json, string? echoed)
    {
        Assert.That(Parse(json), Is.EqualTo(ClientFrameParseResult.Fail(ErrorCodes.UnknownType, echoed)));
    }

    [Test]
    public void Lone_surrogate_escape_in_a_message_never_reaches_the_handler_as_acceptable_text()
    {
        // Either the parser refuses it, or the text it hands on is refused by MessageText.
        var result = Parse("""{"message": "a\ud800b"}""");

        if (result.Frame is { } frame)
        {
            Assert.That(MessageText.Validate(frame.Message!, 4000), Is.EqualTo(ErrorCodes.InvalidFrame));
        }
        else
        {
            Assert.That(result.ErrorCode, Is.AnyOf(ErrorCodes.InvalidJson, ErrorCodes.InvalidFrame));
        }
    }

    [Test]
    public void Lone_surrogate_escape_in_a_client_msg_id_is_refused_and_not_echoed()
    {
        var result = Parse("""{"type": "send", "message": "hi", "clientMsgId": "c-\udc00"}""");

        Assert.That(result.Frame, Is.Null);
        Assert.That(result.ErrorCode, Is.AnyOf(ErrorCodes.InvalidJson, ErrorCodes.InvalidFrame));
        Assert.That(result.ClientMsgId, Is.Null);
    }

    [Test]
    public void Nothing_is_clamped_a_limit_of_201_is_not_turned_into_200()
    {
        var result = Parse("""{"type": "history", "limit": 201}""");

        Assert.That(result.Frame, Is.Null);
    }

    private static ClientFrameParseResult Parse(string json) => ClientFrameParser.Parse(Encoding.UTF8.GetBytes(json));

    private static ClientFrame ParseOk(string json)
    {
        var result = Parse(json);
        Assert.That(result.ErrorCode, Is.Null, $"refused: {json}");
        return result.Frame!;
    }

    private static string Send(string clientMsgId) =>
        $$"""{"type": "send", "message": "hi", "clientMsgId": "{{clientMsgId}}"}""";
}
