using System.Text;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Tests.Unit;

/// <summary>The server frames of docs/protocol.md §2.2, byte for byte where it matters.</summary>
public sealed class ServerFramesTests
{
    private const string TimestampPattern = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$";

    private static readonly DateTime At = new DateTime(2026, 11, 24, 17, 40, 0, DateTimeKind.Utc).AddTicks(1_234_567);

    [Test]
    public void Timestamp_has_exactly_six_fractional_digits_and_z()
    {
        Assert.That(ServerFrames.FormatTimestamp(At), Is.EqualTo("2026-11-24T17:40:00.123456Z"));
    }

    [Test]
    public void Timestamp_keeps_six_digits_when_the_fraction_is_zero()
    {
        var whole = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        Assert.That(ServerFrames.FormatTimestamp(whole), Is.EqualTo("2026-01-02T03:04:05.000000Z"));
    }

    [Test]
    public void Timestamp_uses_a_24_hour_clock()
    {
        var evening = new DateTime(2026, 1, 2, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999);

        Assert.That(ServerFrames.FormatTimestamp(evening), Is.EqualTo("2026-01-02T23:59:59.999999Z"));
    }

    [Test]
    public void Message_frame_has_every_field_of_the_protocol()
    {
        var frame = Parse(ServerFrames.Message(Stored(clientMsgId: "c-1")));

        Assert.That(Names(frame), Is.EqualTo(new[] { "type", "id", "room", "seq", "user", "userId", "message", "timestamp", "clientMsgId" }));
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("message"));
        Assert.That(frame.GetProperty("id").GetInt64(), Is.EqualTo(981));
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo("r"));
        Assert.That(frame.GetProperty("seq").GetInt64(), Is.EqualTo(12));
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("alice"));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("42"));
        Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo("hi"));
        Assert.That(frame.GetProperty("timestamp").GetString(), Is.EqualTo("2026-11-24T17:40:00.123456Z"));
        Assert.That(frame.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-1"));
    }

    [Test]
    public void Message_frame_omits_client_msg_id_when_the_sender_gave_none()
    {
        var frame = Parse(ServerFrames.Message(Stored(clientMsgId: null)));

        Assert.That(frame.TryGetProperty("clientMsgId", out _), Is.False);
        Assert.That(Names(frame), Is.EqualTo(new[] { "type", "id", "room", "seq", "user", "userId", "message", "timestamp" }));
    }

    [Test]
    public void Non_ascii_letters_are_written_unescaped()
    {
        const string text = "h\u00e9llo \u65e5\u672c\u8a9e \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u0436";
        var bytes = ServerFrames.Message(Stored(content: text));
        var json = Encoding.UTF8.GetString(bytes);

        Assert.That(json, Does.Contain(text));
        Assert.That(json, Does.Not.Contain("\\u"));
    }

    [TestCase("h\u00e9llo \u65e5\u672c\u8a9e", TestName = "{m}(accents and CJK)")]
    [TestCase("\u05e9\u05dc\u05d5\u05dd \u200f\u0645\u0631\u062d\u0628\u0627", TestName = "{m}(RTL text with a mark)")]
    [TestCase("\U0001F600\U0001F44D\U0001F3FD \U0001F468\u200d\U0001F469\u200d\U0001F467", TestName = "{m}(emoji)")]
    [TestCase("\u3000ideographic\u00a0spaces\u2028", TestName = "{m}(non-ASCII spaces)")]
    [TestCase("<script>alert('1')</script> & \"quotes\" \\ back", TestName = "{m}(HTML and JSON specials)")]
    [TestCase("tab\there\nnew line\u0001", TestName = "{m}(control characters)")]
    [TestCase("'; DROP TABLE messages; --", TestName = "{m}(SQL-looking text)")]
    public void Message_text_round_trips_exactly(string text)
    {
        var frame = Parse(ServerFrames.Message(Stored(content: text)));

        Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo(text));
    }

    [Test]
    public void Message_frame_timestamp_matches_the_protocol_format()
    {
        var frame = Parse(ServerFrames.Message(Stored()));

        Assert.That(frame.GetProperty("timestamp").GetString(), Does.Match(TimestampPattern));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Ack_frame_has_every_field_of_the_protocol(bool duplicate)
    {
        var frame = Parse(ServerFrames.Ack(Stored(clientMsgId: "c-1"), duplicate));

        Assert.That(Names(frame), Is.EquivalentTo(new[] { "type", "clientMsgId", "id", "room", "seq", "timestamp", "duplicate" }));
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("ack"));
        Assert.That(frame.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-1"));
        Assert.That(frame.GetProperty("id").GetInt64(), Is.EqualTo(981));
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo("r"));
        Assert.That(frame.GetProperty("seq").GetInt64(), Is.EqualTo(12));
        Assert.That(frame.GetProperty("timestamp").GetString(), Is.EqualTo("2026-11-24T17:40:00.123456Z"));
        Assert.That(frame.GetProperty("duplicate").GetBoolean(), Is.EqualTo(duplicate));
    }

    [Test]
    public void Joined_and_left_frames_name_the_room()
    {
        Assert.That(Encoding.UTF8.GetString(ServerFrames.Joined("r-1")), Is.EqualTo("""{"type":"joined","room":"r-1"}"""));
        Assert.That(Encoding.UTF8.GetString(ServerFrames.Left("r-1")), Is.EqualTo("""{"type":"left","room":"r-1"}"""));
    }

    [Test]
    public void Pong_frame_is_just_its_type()
    {
        Assert.That(Encoding.UTF8.GetString(ServerFrames.Pong), Is.EqualTo("""{"type":"pong"}"""));
    }

    [Test]
    public void History_frame_holds_the_candidates_oldest_first_each_shaped_like_a_message_frame()
    {
        var newestFirst = new[] { Stored(seq: 6, content: "six", clientMsgId: "c-6"), Stored(seq: 5, content: "five") };

        var frame = Parse(ServerFrames.History("r", newestFirst, limit: 50, maxBytes: 256 * 1024));

        Assert.That(Names(frame), Is.EquivalentTo(new[] { "type", "room", "messages", "hasMore" }));
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("history"));
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo("r"));
        Assert.That(frame.GetProperty("hasMore").GetBoolean(), Is.False, "every candidate was sent");
        var items = frame.GetProperty("messages").EnumerateArray().ToArray();
        Assert.That(items.Select(m => m.GetProperty("seq").GetInt64()), Is.EqualTo(new long[] { 5, 6 }));
        Assert.That(items[0].ToString(), Is.EqualTo(Encoding.UTF8.GetString(ServerFrames.Message(newestFirst[1]))));
        Assert.That(items[1].ToString(), Is.EqualTo(Encoding.UTF8.GetString(ServerFrames.Message(newestFirst[0]))));
    }

    [Test]
    public void History_frame_stops_at_the_limit_and_says_there_is_more()
    {
        var newestFirst = Enumerable.Range(0, 4).Select(i => Stored(seq: 10 - i, content: $"m{10 - i}")).ToArray();

        var frame = Parse(ServerFrames.History("r", newestFirst, limit: 3, maxBytes: 256 * 1024));

        Assert.That(frame.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()),
            Is.EqualTo(new long[] { 8, 9, 10 }));
        Assert.That(frame.GetProperty("hasMore").GetBoolean(), Is.True);
    }

    [Test]
    public void History_frame_keeps_the_newest_messages_that_fit_the_byte_budget_and_says_there_is_more()
    {
        var text = new string('x', 3000);
        var newestFirst = Enumerable.Range(0, 10).Select(i => Stored(seq: 20 - i, content: text)).ToArray();

        var bytes = ServerFrames.History("r", newestFirst, limit: 200, maxBytes: 10_000);
        var frame = Parse(bytes);

        Assert.That(frame.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()),
            Is.EqualTo(new long[] { 18, 19, 20 }), "three 3,000-byte messages fit in 10,000 bytes, a fourth does not");
        Assert.That(frame.GetProperty("hasMore").GetBoolean(), Is.True);
        Assert.That(bytes, Has.Length.LessThan(10_000 + 100));
    }

    [Test]
    public void History_frame_sends_one_message_even_when_it_alone_passes_the_budget()
    {
        var newestFirst = new[] { Stored(seq: 2, content: new string('y', 20_000)), Stored(seq: 1, content: "small") };

        var frame = Parse(ServerFrames.History("r", newestFirst, limit: 50, maxBytes: 16 * 1024));

        Assert.That(frame.GetProperty("messages").EnumerateArray().Single().GetProperty("seq").GetInt64(), Is.EqualTo(2));
        Assert.That(frame.GetProperty("hasMore").GetBoolean(), Is.True);
    }

    [Test]
    public void Empty_history_frame_has_an_empty_array_and_no_more()
    {
        var frame = Parse(ServerFrames.History("r", [], limit: 50, maxBytes: 256 * 1024));

        Assert.That(frame.GetProperty("messages").GetArrayLength(), Is.Zero);
        Assert.That(frame.GetProperty("hasMore").GetBoolean(), Is.False);
    }

    [Test]
    public void Text_leaves_as_utf8_with_only_what_json_requires_escaped()
    {
        var text = "emoji 😀 한국어 \"quoted\" back\\slash\n tab\t bell\u0007 <script>&'";

        var bytes = ServerFrames.Message(Stored(seq: 1, content: text));

        var raw = Encoding.UTF8.GetString(bytes);
        Assert.That(raw, Does.Contain("emoji 😀 한국어"), "non-ASCII text, emoji included, is written as UTF-8");
        Assert.That(raw, Does.Not.Contain("\\uD"), "no emoji as an escaped surrogate pair");
        Assert.That(raw, Does.Contain("\\\"quoted\\\" back\\\\slash\\n tab\\t bell\\u0007 <script>&'"));
        Assert.That(Parse(bytes).GetProperty("message").GetString(), Is.EqualTo(text), "and it reads back as sent");
    }

    [Test]
    public void Error_frame_without_client_msg_id_has_type_code_and_message()
    {
        var frame = Parse(ServerFrames.Error(ErrorCodes.InvalidJson, "not JSON"));

        Assert.That(Names(frame), Is.EqualTo(new[] { "type", "code", "message" }));
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("error"));
        Assert.That(frame.GetProperty("code").GetString(), Is.EqualTo("invalid_json"));
        Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo("not JSON"));
    }

    [Test]
    public void Error_frame_echoes_the_client_msg_id()
    {
        var frame = Parse(ServerFrames.Error(ErrorCodes.RateLimited, "slow down", "c-\u00e9\U0001F600"));

        Assert.That(Names(frame), Is.EqualTo(new[] { "type", "code", "message", "clientMsgId" }));
        Assert.That(frame.GetProperty("clientMsgId").GetString(), Is.EqualTo("c-\u00e9\U0001F600"));
    }

    [Test]
    public void Replay_truncated_is_an_error_frame_with_room_and_from_seq()
    {
        var frame = Parse(ServerFrames.ReplayTruncated("r", 4001));

        Assert.That(Names(frame), Is.EquivalentTo(new[] { "type", "code", "message", "room", "fromSeq" }));
        Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("error"));
        Assert.That(frame.GetProperty("code").GetString(), Is.EqualTo("replay_truncated"));
        Assert.That(frame.GetProperty("message").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo("r"));
        Assert.That(frame.GetProperty("fromSeq").GetInt64(), Is.EqualTo(4001));
    }

    [TestCase(ErrorCodes.InvalidJson)]
    [TestCase(ErrorCodes.InvalidFrame)]
    [TestCase(ErrorCodes.UnknownType)]
    [TestCase(ErrorCodes.MessageEmpty)]
    [TestCase(ErrorCodes.MessageTooLong)]
    [TestCase(ErrorCodes.InvalidRoom)]
    [TestCase(ErrorCodes.ForbiddenRoom)]
    [TestCase(ErrorCodes.NotJoined)]
    [TestCase(ErrorCodes.RateLimited)]
    [TestCase(ErrorCodes.TooManyRooms)]
    [TestCase(ErrorCodes.Unavailable)]
    public void Every_frame_error_code_has_a_human_message(string code)
    {
        Assert.That(ErrorMessages.Describe(code), Is.Not.Empty.And.Not.EqualTo(code));
    }

    private static StoredMessage Stored(long seq = 12, string content = "hi", string? clientMsgId = null) =>
        new(981, "r", seq, "42", "alice", content, clientMsgId, At);

    private static JsonElement Parse(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        return document.RootElement.Clone();
    }

    private static string[] Names(JsonElement frame) => [.. frame.EnumerateObject().Select(p => p.Name)];
}
